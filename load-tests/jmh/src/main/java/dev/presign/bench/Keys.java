package dev.presign.bench;

import dev.presign.gateway.auth.StaticKeys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * Signing keys made at benchmark setup (never stored anywhere) as JWKs: the public one the gateway would load,
 * and the private one an identity provider would sign with.
 */
record Keys(String alg, JsonObject verifyJwk, JsonObject signJwk) {

  static Keys generate(String alg) {
    try {
      return switch (alg) {
        case "HS256" -> {
          byte[] secret = new byte[32];
          new SecureRandom().nextBytes(secret);
          JsonObject oct = new JsonObject().put("kty", "oct").put("alg", alg).put("kid", "bench-hs")
              .put("k", Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
          yield new Keys(alg, oct, oct);
        }
        case "RS256" -> {
          KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
          gen.initialize(2048);
          var pair = gen.generateKeyPair();
          RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
          RSAPrivateCrtKey priv = (RSAPrivateCrtKey) pair.getPrivate();
          JsonObject jwk = new JsonObject().put("kty", "RSA").put("alg", alg).put("use", "sig").put("kid", "bench-rs")
              .put("n", StaticKeys.b64(pub.getModulus())).put("e", StaticKeys.b64(pub.getPublicExponent()));
          yield new Keys(alg, jwk, jwk.copy().put("d", StaticKeys.b64(priv.getPrivateExponent()))
              .put("p", StaticKeys.b64(priv.getPrimeP())).put("q", StaticKeys.b64(priv.getPrimeQ()))
              .put("dp", StaticKeys.b64(priv.getPrimeExponentP())).put("dq", StaticKeys.b64(priv.getPrimeExponentQ()))
              .put("qi", StaticKeys.b64(priv.getCrtCoefficient())));
        }
        case "ES256" -> {
          KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
          gen.initialize(new ECGenParameterSpec("secp256r1"));
          var pair = gen.generateKeyPair();
          ECPublicKey pub = (ECPublicKey) pair.getPublic();
          JsonObject jwk = new JsonObject().put("kty", "EC").put("crv", "P-256").put("alg", alg).put("use", "sig")
              .put("kid", "bench-es").put("x", StaticKeys.b64(pub.getW().getAffineX(), 32))
              .put("y", StaticKeys.b64(pub.getW().getAffineY(), 32));
          yield new Keys(alg, jwk, jwk.copy().put("d", StaticKeys.b64(((ECPrivateKey) pair.getPrivate()).getS(), 32)));
        }
        default -> throw new IllegalArgumentException("no key generator for " + alg);
      };
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token for {@code sub} as the local stack's dev issuer makes them: iss, aud, sub, iat, exp in one hour. */
  String token(Vertx vertx, String sub) {
    JWTAuth issuer = JWTAuth.create(vertx, new JWTAuthOptions().addJwk(signJwk));
    JsonObject claims = new JsonObject().put("iss", "presign-gateway-dev").put("aud", "presign-gateway")
        .put("sub", sub);
    return issuer.generateToken(claims, new JWTOptions().setAlgorithm(alg).setExpiresInSeconds(3600));
  }
}
