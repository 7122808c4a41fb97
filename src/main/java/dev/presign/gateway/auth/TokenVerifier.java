package dev.presign.gateway.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.presign.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Verifies bearer tokens with vertx-auth-jwt, then checks the claims this gateway requires (exp, iss, aud,
 * sub; nbf and iat when present). One instance per verticle: its JWTAuth is confined to one event loop and
 * rebuilt only when the shared {@link KeyRing} changes.
 */
public final class TokenVerifier {
  /** A token longer than this is refused before any parsing. */
  public static final int MAX_TOKEN_CHARS = 8 * 1024;
  /**
   * Largest accepted NumericDate magnitude: 2^53, the end of the range JSON parsers agree on (RFC 7493). Beyond it a
   * BigInteger would wrap in {@code longValue()} (an nbf of 2^64 would read as 0, "valid since 1970").
   */
  static final double MAX_NUMERIC_DATE = 9_007_199_254_740_992d;
  /** ES* signatures are R||S of fixed size (RFC 7518 3.4); anything else (DER, a byte more) is refused. */
  private static final Map<String, Integer> ECDSA_SIGNATURE_BYTES = Map.of("ES256", 64, "ES384", 96, "ES512", 132);
  /**
   * Strict JSON for token segments: comments, single quotes, NaN and trailing data are errors (Jackson's defaults),
   * and so are duplicate member names, which {@link #decodeSegment} finds itself. vertx-auth-jwt's parser allows
   * comments and keeps the last of duplicate members, while an issuer's or another service's parser may keep the
   * first: one signed token must not read as two different subjects.
   */
  private static final JsonFactory STRICT_JSON = JsonFactory.builder().build();
  /** An array's place on the stack of open structures: it has no member names. */
  private static final Set<String> NO_NAMES = Set.of();

  private final Vertx vertx;
  private final KeySource keys;
  private final GatewayConfig.Jwt config;
  private final Clock clock;
  private JWTAuth auth;
  private long authVersion = -1;
  private final int cacheSize;
  private final long leewaySeconds;
  /** Verified tokens, least recently used first; confined to one event loop like the rest of this object. */
  private final LinkedHashMap<TokenKey, Verified> verified;
  private long cacheVersion = -1;
  private long cacheHits;
  /** Called with the request's client before each signature check a cache hit did not spare; may throw to refuse. */
  private Consumer<Object> beforeVerification;

  public TokenVerifier(Vertx vertx, KeySource keys, GatewayConfig.Jwt config, Clock clock) {
    this.vertx = vertx;
    this.keys = keys;
    this.config = config;
    this.clock = clock;
    this.cacheSize = config.cacheSize();
    this.leewaySeconds = config.leeway().toSeconds();
    this.verified = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<TokenKey, Verified> eldest) {
        return size() > cacheSize;
      }
    };
  }

  /**
   * Sets the check run before every signature verification that the verified-token cache did not spare (never on
   * a cache hit, never for a token its claims already refuse): the edge rate limit. It may throw to refuse.
   */
  public TokenVerifier beforeVerification(Consumer<Object> check) {
    this.beforeVerification = check;
    return this;
  }

  /** The caller named by a valid token in an Authorization header value; fails with {@link AuthException}. */
  public Future<Caller> verify(String authorization) {
    return verify(authorization, null);
  }

  /** The same for a request from {@code client}, which {@link #beforeVerification} is given; may throw from it. */
  public Future<Caller> verify(String authorization, Object client) {
    String token;
    JsonObject header;
    try {
      token = bearerToken(authorization);
      Verified known = cached(token);
      if (known != null) {
        checkTimes(known.expiresAt(), known.notBefore(), known.issuedAt());
        return Future.succeededFuture(known.caller());
      }
      String[] parts = segments(token);
      header = decodeSegment(parts[0], "header");
      checkHeader(header);
      checkSignatureLength((String) header.getValue("alg"), base64url(parts[2], "signature"));
      // Claims are checked before any cryptography so that a stale or foreign token costs nothing and can never
      // trigger a JWKS fetch; they are checked again, from the verified payload, before they are trusted.
      checkClaims(decodeSegment(parts[1], "payload"));
    } catch (AuthException e) {
      return Future.failedFuture(e);
    }
    if (client != null && beforeVerification != null) {
      beforeVerification.accept(client);
    }
    long ringVersion = keys.current().version();
    return verifySignature(token, (String) header.getValue("kid"), true).map(claims -> {
      Caller caller = checkClaims(claims);
      remember(token, claims, caller, ringVersion);
      return caller;
    });
  }

  /**
   * Claims of a token this verifier has already verified with the current key set, or null. Exact match on the
   * whole token string; every use re-checks the time claims, so an entry never outlives its token; a change of
   * key set (a key added or removed) empties the cache.
   */
  private Verified cached(String token) {
    if (cacheSize == 0) {
      return null;
    }
    long version = keys.current().version();
    if (version != cacheVersion) {
      verified.clear();
      cacheVersion = version;
      return null;
    }
    Verified known = verified.get(new TokenKey(token));
    if (known != null) {
      cacheHits++;
    }
    return known;
  }

  private void remember(String token, JsonObject claims, Caller caller, long ringVersion) {
    if (cacheSize > 0 && ringVersion == cacheVersion && ringVersion == keys.current().version()) {
      verified.put(new TokenKey(token), new Verified(caller, numericDate(claims, "exp"), orMin(numericDate(claims, "nbf")),
          orMin(numericDate(claims, "iat"))));
    }
  }

  /**
   * What a cache hit needs: the caller (issuer, audience and subject never change for one token string) and the
   * time claims, which are checked again on every use; an absent nbf or iat is {@code Long.MIN_VALUE}.
   */
  private record Verified(Caller caller, long expiresAt, long notBefore, long issuedAt) {}

  /**
   * The verified-token cache's key: the whole token, compared whole, hashed on its last {@link #HASHED} characters
   * only. Those are the signature's, random for every token an issuer signed, and the only entries are tokens
   * verified here; String's own hash reads all of a token's hundreds of characters on every request.
   */
  static final class TokenKey {
    static final int HASHED = 32;
    private final String token;
    private final int hash;

    TokenKey(String token) {
      this.token = token;
      int n = token.length();
      int h = n;
      for (int i = Math.max(0, n - HASHED); i < n; i++) {
        h = 31 * h + token.charAt(i);
      }
      this.hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TokenKey other && other.hash == hash && other.token.equals(token);
    }
  }

  private static long orMin(Long value) {
    return value == null ? Long.MIN_VALUE : value;
  }

  /** How many verifications the cache answered (tests and benchmarks). */
  long cacheHits() {
    return cacheHits;
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
    for (JsonObject key : keys.current().keys()) {
      String alg = key.getString("alg");
      JsonObject header = new JsonObject().put("alg", alg);
      if (key.getString("kid") != null) {
        header.put("kid", key.getString("kid"));
      }
      // Right-sized and non-zero, so that even an ECDSA signature reaches the JDK's verifier (and fails there).
      byte[] signature = new byte[ECDSA_SIGNATURE_BYTES.getOrDefault(alg, 64)];
      java.util.Arrays.fill(signature, (byte) 1);
      String token = b64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "." + payload + "."
          + b64.encodeToString(signature);
      verify("Bearer " + token);
    }
  }

  private Future<JsonObject> verifySignature(String token, String kid, boolean mayRefresh) {
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
      if (e instanceof NoSuchKeyIdException) {
        if (kid != null && ring.kids().contains(kid)) {
          // The kid is ours but its key serves another algorithm: a refresh would not change that.
          return Future.failedFuture(new AuthException("the token's key (kid) does not verify its algorithm (alg)"));
        }
        if (kid == null) {
          return Future.failedFuture(new AuthException("no key for the token's algorithm (alg) is loaded"));
        }
        if (mayRefresh) {
          // Only a kid we do not hold can mean a rotated key that a refresh would bring.
          return keys.refreshForUnknownKid().compose(changed -> changed
              ? verifySignature(token, kid, false)
              : Future.failedFuture(new AuthException("the token's signing key (kid) is unknown")));
        }
      }
      return Future.failedFuture(new AuthException(describe(e)));
    });
  }

  private JWTAuth authFor(KeyRing ring) {
    if (ring.version() != authVersion) {
      // exp, nbf and iat are this class's to check, on its clock, before and after the signature (checkClaims):
      // vertx-auth-jwt's own check, on the wall clock, would fail with nothing but a message to tell why.
      JWTAuthOptions options = new JWTAuthOptions()
          .setJWTOptions(new JWTOptions().setLeeway((int) config.leeway().toSeconds()).setIgnoreExpiration(true));
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

  /**
   * An allowed algorithm, a string kid if any, and no critical extension (this gateway understands none). The
   * embedded or remote key headers (jwk, jku, x5c, x5u) are ignored: keys come only from configuration.
   */
  private void checkHeader(JsonObject header) {
    Object alg = header.getValue("alg");
    if (!(alg instanceof String) || !config.algorithms().contains(alg)) {
      throw new AuthException("token algorithm " + describeAlg(alg) + " is not accepted; accepted: "
          + config.algorithms());
    }
    if (header.containsKey("kid") && !(header.getValue("kid") instanceof String)) {
      throw new AuthException("token header 'kid' is not a string");
    }
    if (header.containsKey("crit")) {
      throw new AuthException("token header 'crit' names extensions this gateway does not understand");
    }
  }

  /** The alg as text for an error message, without echoing arbitrary attacker JSON. */
  private static String describeAlg(Object alg) {
    if (alg instanceof String s) {
      return s.length() <= 16 && s.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? s : "(unsupported value)";
    }
    return alg == null ? "(none given)" : "(not a string)";
  }

  /** ECDSA signatures must be the JOSE R||S of the curve's size; vertx-auth-jwt would also take DER or extra bytes. */
  private static void checkSignatureLength(String alg, byte[] signature) {
    Integer expected = ECDSA_SIGNATURE_BYTES.get(alg);
    if (expected == null) {
      return;
    }
    if (signature.length != expected) {
      throw new AuthException("token signature is invalid: " + alg + " takes a " + expected + "-byte R||S value");
    }
    // r and s are at least 1 (FIPS 186-4, 6.4.2). vertx-auth-jwt fails a zero one with a bare RuntimeException that
    // only its message tells apart from any other failure: refused here, by what it is.
    if (isZero(signature, 0, expected / 2) || isZero(signature, expected / 2, expected)) {
      throw new AuthException("token signature is invalid: " + alg + " r and s must not be 0");
    }
  }

  private static boolean isZero(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Unpadded base64url in its one canonical spelling (RFC 7515 section 2): no '=', no other alphabet, no set
   * unused bits. A lenient decoder gives one token many spellings, which every string-keyed cache or deny list
   * would then miss.
   */
  private static byte[] base64url(String segment, String what) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
        throw new AuthException("token " + what + " is not unpadded base64url");
      }
    }
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(segment);
      if (Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(segment)) {
        return bytes;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new AuthException("token " + what + " is not canonical base64url");
  }

  private static JsonObject decodeSegment(String segment, String what) {
    byte[] json = base64url(segment, what);
    try (JsonParser parser = STRICT_JSON.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new AuthException("token " + what + " is not a JSON object");
      }
      // The member names of each open object (null for an array), innermost last.
      ArrayDeque<Set<String>> open = new ArrayDeque<>();
      open.push(new HashSet<>());
      while (!open.isEmpty()) {
        JsonToken t = parser.nextToken();
        if (t == null) {
          throw new AuthException("token " + what + " is truncated JSON");
        }
        if (t == JsonToken.FIELD_NAME && !open.peek().add(parser.currentName())) {
          throw new AuthException("token " + what + " is not strict JSON (duplicate member name)");
        }
        if (t == JsonToken.START_OBJECT) {
          open.push(new HashSet<>());
        } else if (t == JsonToken.START_ARRAY) {
          open.push(NO_NAMES);
        } else if (t.isStructEnd()) {
          open.pop();
        }
      }
      if (parser.nextToken() != null) {
        throw new AuthException("token " + what + " has data after its JSON object");
      }
    } catch (java.io.IOException | RuntimeException e) {
      if (e instanceof AuthException a) {
        throw a;
      }
      throw new AuthException("token " + what + " is not strict JSON");
    }
    try {
      return new JsonObject(Buffer.buffer(json));
    } catch (RuntimeException e) {
      throw new AuthException("token " + what + " is not base64url-encoded JSON");
    }
  }

  Caller checkClaims(JsonObject claims) {
    Long exp = numericDate(claims, "exp");
    if (exp == null) {
      throw new AuthException("token has no exp claim; tokens must expire");
    }
    checkTimes(exp, orMin(numericDate(claims, "nbf")), orMin(numericDate(claims, "iat")));
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

  /** exp, nbf and iat (the last two {@code Long.MIN_VALUE} when absent) against the clock, with the leeway. */
  private void checkTimes(long exp, long nbf, long iat) {
    long now = clock.millis() / 1000;
    if (now - leewaySeconds >= exp) {
      throw new AuthException("token expired");
    }
    if (now + leewaySeconds < nbf) {
      throw new AuthException("token is not valid yet (nbf)");
    }
    if (now + leewaySeconds < iat) {
      throw new AuthException("token was issued in the future (iat)");
    }
  }

  private static Long numericDate(JsonObject claims, String name) {
    Object v = claims.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n)) {
      throw new AuthException("token claim " + name + " is not a number");
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d) || Math.abs(d) > MAX_NUMERIC_DATE) {
      throw new AuthException("token claim " + name + " is out of range");
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
    // vertx-auth-jwt reports a signature that does not verify as a SignatureException, thrown or as the cause of
    // the JDK's failure it wraps. Its failures known only by message ("Invalid ECDSA signature format": an ECDSA
    // signature of the wrong size, or r or s zero) cannot reach it: checkSignatureLength refuses those first.
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.security.SignatureException) {
        return "token signature is invalid";
      }
    }
    return "token is invalid";
  }
}
