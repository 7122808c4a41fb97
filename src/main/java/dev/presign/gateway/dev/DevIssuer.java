package dev.presign.gateway.dev;

import dev.presign.gateway.auth.StaticKeys;
import dev.presign.gateway.config.GatewayConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Base64;
import java.util.UUID;

/**
 * Dev mode only: a token issuer with a key pair made at start. It serves its JWKS (which the gateway reads
 * through the same code path as a production JWKS URL) and mints RS256 tokens for any subject.
 */
public final class DevIssuer {
  static final long MAX_TTL_SECONDS = 24 * 3600;

  private final KeyPair keyPair;
  private final String kid = "dev-" + UUID.randomUUID().toString().substring(0, 8);
  private final GatewayConfig.Jwt config;
  private final Clock clock;
  private final String jwks;

  public DevIssuer(GatewayConfig.Jwt config, Clock clock) {
    this.config = config;
    this.clock = clock;
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      this.keyPair = gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    RSAPublicKey pub = (RSAPublicKey) keyPair.getPublic();
    this.jwks = new JsonObject().put("keys", new JsonArray().add(new JsonObject()
        .put("kty", "RSA").put("alg", "RS256").put("use", "sig").put("kid", kid)
        .put("n", StaticKeys.b64(pub.getModulus())).put("e", StaticKeys.b64(pub.getPublicExponent())))).encode();
  }

  /** The issuer's JWKS, as served at /dev/jwks.json. */
  public String jwks() {
    return jwks;
  }

  /** A request the issuer cannot mint a token for; {@code field} names what is wrong. */
  public static final class InvalidRequest extends RuntimeException {
    private final String field;

    InvalidRequest(String field, String detail) {
      super(detail, null, false, false);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /**
   * {@code {"sub": "alice", "prefixes"?: [...], "ttlSeconds"?: n}} (null: no JSON object) → {@code {"token": …,
   * "expiresIn": n}}; an {@link InvalidRequest} when it cannot.
   */
  public JsonObject mint(JsonObject body) {
    if (body == null || !(body.getValue("sub") instanceof String sub) || sub.isEmpty()) {
      throw new InvalidRequest("sub", "send {\"sub\": \"alice\"} (optionally \"prefixes\": [..], \"ttlSeconds\": n)");
    }
    Object requestedTtl = body.getValue("ttlSeconds", 3600L);
    if (!(requestedTtl instanceof Integer || requestedTtl instanceof Long)) {
      throw new InvalidRequest("ttlSeconds", "ttlSeconds must be a whole number of seconds");
    }
    long ttl = Math.max(1, Math.min(MAX_TTL_SECONDS, ((Number) requestedTtl).longValue()));
    long now = clock.millis() / 1000;
    JsonObject claims = new JsonObject().put("iss", config.issuer()).put("aud", config.audiences().get(0))
        .put("sub", sub).put("iat", now).put("exp", now + ttl);
    if (body.getValue("prefixes") instanceof JsonArray prefixes && config.prefixesClaim() != null) {
      claims.put(config.prefixesClaim(), prefixes);
    }
    return new JsonObject().put("token", sign(claims)).put("expiresIn", ttl);
  }

  public String sign(JsonObject claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid)
        .encode().getBytes(StandardCharsets.UTF_8));
    String payload = b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(keyPair.getPrivate());
      signature.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
      return header + "." + payload + "." + b64.encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
