package dev.presign.gateway.auth;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A token signing key made in this process for one JWS algorithm, held only in memory and never written or sent
 * anywhere: its public JWK (what a verifier is given) and compact tokens signed with it. The dev issuer signs with
 * one; so does the readiness warm-up, whose verifier holds nothing else.
 */
public final class LocalSigner {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final String alg;
  private final String kid;
  private final JsonObject jwk;
  private final KeyPair pair;
  private final byte[] secret;

  /** A fresh key for {@code alg} (any of GatewayConfig's supported algorithms), named {@code kidPrefix-<random>}. */
  public LocalSigner(String alg, String kidPrefix) {
    this.alg = alg;
    this.kid = kidPrefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    try {
      if (alg.startsWith("HS")) {
        secret = new byte[bits(alg) / 8];
        new SecureRandom().nextBytes(secret);
        pair = null;
        jwk = new JsonObject().put("kty", "oct").put("k", B64.encodeToString(secret));
      } else if (alg.startsWith("ES")) {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec(alg.equals("ES256") ? "secp256r1" : alg.equals("ES384") ? "secp384r1"
            : "secp521r1"));
        pair = gen.generateKeyPair();
        secret = null;
        jwk = StaticKeys.fromPublicKey(pair.getPublic(), java.util.Set.of(alg)).get(0);
      } else if (alg.startsWith("RS") || alg.startsWith("PS")) {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        pair = gen.generateKeyPair();
        secret = null;
        RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
        jwk = new JsonObject().put("kty", "RSA").put("n", StaticKeys.b64(pub.getModulus()))
            .put("e", StaticKeys.b64(pub.getPublicExponent()));
      } else {
        throw new IllegalArgumentException("no local key for algorithm " + alg);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    jwk.put("alg", alg).put("use", "sig").put("kid", kid);
  }

  public String alg() {
    return alg;
  }

  public String kid() {
    return kid;
  }

  /** The public JWK (for HS*, the secret itself: keep it in this process). */
  public JsonObject jwk() {
    return jwk.copy();
  }

  /** A compact JWS of {@code claims} with this key; the header names its alg, typ JWT and kid. */
  public String sign(JsonObject claims) {
    String header = B64.encodeToString(new JsonObject().put("alg", alg).put("typ", "JWT").put("kid", kid).encode()
        .getBytes(StandardCharsets.UTF_8));
    String input = header + "." + B64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    byte[] data = input.getBytes(StandardCharsets.US_ASCII);
    try {
      byte[] signature;
      if (secret != null) {
        Mac mac = Mac.getInstance("HmacSHA" + bits(alg));
        mac.init(new SecretKeySpec(secret, mac.getAlgorithm()));
        signature = mac.doFinal(data);
      } else {
        Signature s = signature();
        s.initSign(pair.getPrivate());
        s.update(data);
        signature = s.sign();
      }
      return input + "." + B64.encodeToString(signature);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private Signature signature() throws GeneralSecurityException {
    int bits = bits(alg);
    if (alg.startsWith("RS")) {
      return Signature.getInstance("SHA" + bits + "withRSA");
    }
    if (alg.startsWith("ES")) {
      return Signature.getInstance("SHA" + bits + "withECDSAinP1363Format"); // JOSE's R||S, not DER
    }
    Signature pss = Signature.getInstance("RSASSA-PSS");
    String hash = "SHA-" + bits;
    pss.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), bits / 8, 1));
    return pss;
  }

  /** The hash size an algorithm names: HS256 → 256, ES512 → 512. */
  private static int bits(String alg) {
    return Integer.parseInt(alg.substring(2));
  }

  /** The algorithms of {@code jwks} (each key's alg), each once, in order: what a local signer should match. */
  public static List<String> algorithmsOf(List<JsonObject> jwks) {
    return jwks.stream().map(k -> k.getString("alg")).filter(a -> a != null).distinct().toList();
  }
}
