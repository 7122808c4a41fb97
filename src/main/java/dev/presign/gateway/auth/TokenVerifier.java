package dev.presign.gateway.auth;

import dev.presign.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Verifies bearer tokens with vertx-auth-jwt, then checks the claims this gateway requires (exp, iss, aud,
 * sub; nbf and iat when present). One instance per verticle: its JWTAuth is confined to one event loop and
 * rebuilt only when the shared {@link KeyRing} changes.
 */
public final class TokenVerifier {
  /** A token longer than this is refused before any parsing. */
  public static final int MAX_TOKEN_CHARS = 8 * 1024;

  private final Vertx vertx;
  private final KeySource keys;
  private final GatewayConfig.Jwt config;
  private final Clock clock;
  private JWTAuth auth;
  private long authVersion = -1;

  public TokenVerifier(Vertx vertx, KeySource keys, GatewayConfig.Jwt config, Clock clock) {
    this.vertx = vertx;
    this.keys = keys;
    this.config = config;
    this.clock = clock;
  }

  /** The caller named by a valid token in an Authorization header value; fails with {@link AuthException}. */
  public Future<Caller> verify(String authorization) {
    String token;
    try {
      token = bearerToken(authorization);
      String[] parts = segments(token);
      checkHeader(decodeSegment(parts[0], "header"));
      // Claims are checked before any cryptography so that a stale or foreign token costs nothing and can never
      // trigger a JWKS fetch; they are checked again, from the verified payload, before they are trusted.
      checkClaims(decodeSegment(parts[1], "payload"));
    } catch (AuthException e) {
      return Future.failedFuture(e);
    }
    return verifySignature(token, true).map(this::checkClaims);
  }

  /**
   * Runs every loaded key's verification once with a well-formed token whose signature is wrong, on the calling
   * (worker) thread, so that JWK parsing and the JDK's signature classes are loaded before an event loop needs them.
   */
  public void warmUp() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    long now = clock.millis() / 1000;
    JsonObject claims = new JsonObject().put("iss", config.issuer()).put("aud", config.audiences().get(0))
        .put("sub", "warm-up").put("exp", now + 60);
    String payload = b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    String signature = b64.encodeToString(new byte[64]);
    for (JsonObject key : keys.current().keys()) {
      JsonObject header = new JsonObject().put("alg", key.getString("alg")).put("kid", key.getString("kid"));
      String token = b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "." + payload + "." + signature;
      verify("Bearer " + token);
    }
  }

  private Future<JsonObject> verifySignature(String token, boolean mayRefresh) {
    KeyRing ring = keys.current();
    if (ring.isEmpty()) {
      return Future.failedFuture(new AuthException("no verification keys are loaded"));
    }
    Future<JsonObject> verified;
    try {
      verified = authFor(ring).authenticate(new TokenCredentials(token))
          .map(user -> user.attributes().getJsonObject("accessToken"));
    } catch (RuntimeException e) {
      verified = Future.failedFuture(e);
    }
    return verified.recover(e -> {
      if (e instanceof NoSuchKeyIdException && mayRefresh) {
        return keys.refreshForUnknownKid().compose(changed -> changed
            ? verifySignature(token, false)
            : Future.failedFuture(new AuthException("the token's signing key (kid) is unknown")));
      }
      return Future.failedFuture(new AuthException(describe(e)));
    });
  }

  private JWTAuth authFor(KeyRing ring) {
    if (ring.version() != authVersion) {
      JWTAuthOptions options = new JWTAuthOptions()
          .setJWTOptions(new JWTOptions().setLeeway((int) config.leeway().toSeconds()));
      ring.keys().forEach(jwk -> options.addJwk(jwk.copy()));
      auth = JWTAuth.create(vertx, options);
      authVersion = ring.version();
    }
    return auth;
  }

  private static String bearerToken(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw new AuthException("missing Authorization: Bearer <token> header");
    }
    if (authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new AuthException("Authorization header must use the Bearer scheme");
    }
    String token = authorization.substring(7).strip();
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new AuthException("token is longer than " + MAX_TOKEN_CHARS + " characters");
    }
    return token;
  }

  private static String[] segments(String token) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
      throw new AuthException("token must be a signed JWT: three non-empty base64url segments");
    }
    return parts;
  }

  /** An allowed algorithm, and no critical extension (this gateway understands none). */
  private void checkHeader(JsonObject header) {
    Object alg = header.getValue("alg");
    if (!(alg instanceof String) || !config.algorithms().contains(alg)) {
      throw new AuthException("token algorithm " + alg + " is not accepted; accepted: " + config.algorithms());
    }
    if (header.containsKey("crit")) {
      throw new AuthException("token header 'crit' names extensions this gateway does not understand");
    }
  }

  private static JsonObject decodeSegment(String segment, String what) {
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(segment), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new AuthException("token " + what + " is not base64url-encoded JSON");
    }
  }

  Caller checkClaims(JsonObject claims) {
    long now = clock.millis() / 1000;
    long leeway = config.leeway().toSeconds();
    Long exp = numericDate(claims, "exp");
    if (exp == null) {
      throw new AuthException("token has no exp claim; tokens must expire");
    }
    if (now - leeway >= exp) {
      throw new AuthException("token expired");
    }
    Long nbf = numericDate(claims, "nbf");
    if (nbf != null && now + leeway < nbf) {
      throw new AuthException("token is not valid yet (nbf)");
    }
    Long iat = numericDate(claims, "iat");
    if (iat != null && now + leeway < iat) {
      throw new AuthException("token was issued in the future (iat)");
    }
    if (!config.issuer().equals(claims.getValue("iss"))) {
      throw new AuthException("token issuer (iss) is not the configured issuer");
    }
    if (!audienceMatches(claims.getValue("aud"))) {
      throw new AuthException("token audience (aud) does not include " + config.audiences());
    }
    Object sub = claims.getValue("sub");
    if (!(sub instanceof String subject) || subject.isEmpty()) {
      throw new AuthException("token has no sub claim");
    }
    return new Caller(subject, extraPrefixes(claims));
  }

  private static Long numericDate(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n)) {
      throw new AuthException("token claim " + name + " is not a number");
    }
    return n.longValue();
  }

  private boolean audienceMatches(Object aud) {
    if (aud instanceof String s) {
      return config.audiences().contains(s);
    }
    if (aud instanceof JsonArray a) {
      return a.stream().anyMatch(config.audiences()::contains);
    }
    return false;
  }

  private List<String> extraPrefixes(JsonObject claims) {
    if (config.prefixesClaim() == null) {
      return List.of();
    }
    Object v = claims.getValue(config.prefixesClaim());
    List<String> out = new ArrayList<>();
    if (v instanceof String s) {
      out.add(s);
    } else if (v instanceof JsonArray a) {
      a.forEach(p -> {
        if (p instanceof String s && out.size() < 32) {
          out.add(s);
        }
      });
    }
    return out;
  }

  private static String describe(Throwable e) {
    if (e instanceof AuthException) {
      return e.getMessage();
    }
    if (e instanceof NoSuchKeyIdException) {
      return "the token's signing key (kid) is unknown";
    }
    if (e instanceof java.security.SignatureException || String.valueOf(e.getMessage()).contains("Signature")) {
      return "token signature is invalid";
    }
    if (String.valueOf(e.getMessage()).contains("expired")) {
      return "token expired";
    }
    return "token is invalid";
  }
}
