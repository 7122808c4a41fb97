package dev.presign.gateway.dev;

import dev.presign.gateway.auth.LocalSigner;
import dev.presign.gateway.config.GatewayConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;

/**
 * Dev mode only: a token issuer with a key pair made at start. It serves its JWKS (which the gateway reads
 * through the same code path as a production JWKS URL) and mints RS256 tokens for any subject.
 */
public final class DevIssuer {
  static final long MAX_TTL_SECONDS = 24 * 3600;

  private final LocalSigner key = new LocalSigner("RS256", "dev");
  private final GatewayConfig.Jwt config;
  private final Clock clock;
  private final String jwks;

  public DevIssuer(GatewayConfig.Jwt config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.jwks = new JsonObject().put("keys", new JsonArray().add(key.jwk())).encode();
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
    return key.sign(claims);
  }
}
