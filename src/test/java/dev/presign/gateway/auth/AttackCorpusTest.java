package dev.presign.gateway.auth;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.presign.gateway.config.ConfigException;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.support.Jwts;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile tokens against the real gateway (real JWKS over HTTP, real HTTP client). Every one must be answered with
 * a problem+json 401 (431 when the request itself is too large), never a 5xx, and must not make the gateway fetch
 * the JWKS: the cases run after the unknown-kid throttle window has passed, so a fetch would be allowed if the code
 * asked for one. The only tokens that may cause a fetch are tokens with valid claims naming a kid the gateway does
 * not hold (that is how a rotated key is found); those are tested for "at most one fetch per window".
 *
 * <p>Choices documented here: duplicate JSON members, comments and any other non-strict JSON are refused (not
 * resolved); non-integer NumericDates are accepted, numeric strings are not; ECDSA signatures must be fixed-size R||S
 * (DER and extra bytes are refused); the high-S twin of a valid ECDSA signature is accepted (see its test);
 * jku/x5u/jwk/x5c headers are ignored, never fetched or trusted.
 */
class AttackCorpusTest {
  static final long WINDOW_MS = 1_000;
  static final String SECRET = "an HMAC secret of comfortably more than 256 bits";

  static TestIssuer issuer;
  /**
   * JWT_ALGORITHMS=RS256,PS256,ES256,ES384,ES512 with a JWKS holding an RS256 key "r1", EC keys "e1" (P-256),
   * "e384" and "e521", and "gone" (RS256). No PS256 key: a token may name an allowed algorithm nothing verifies.
   */
  static TestGateway gw;
  /** JWT_ALGORITHMS=HS256,RS256 with a real JWT_HMAC_SECRET and the same JWKS: HS256 verification is live. */
  static TestGateway hmacGw;
  /** A server at the "attacker's" URLs used in jku / x5u headers; it must never be called. */
  static HttpServer attacker;
  static final AtomicInteger attackerHits = new AtomicInteger();

  static KeyPair rsa;
  static KeyPair ec;
  static KeyPair ec384;
  static KeyPair ec521;
  /** The attacker's own RSA key, with a self-signed certificate for x5c. Never published. */
  static PrivateKey evil;
  static X509Certificate evilCert;

  static int seenFetches;
  static long seenAtNanos;

  record Case(String name, String authorization, int status, String detail) {}

  @BeforeAll
  static void start() throws Exception {
    Path keyDir = Files.createTempDirectory("attacker");
    Process keytool = startKeytool(keyDir); // a JVM of its own: runs while the keys and gateways below are made
    attacker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    attacker.createContext("/", exchange -> {
      attackerHits.incrementAndGet();
      byte[] body = new JsonObject().put("keys", new JsonArray().add(rsaJwk((RSAPublicKey) evilCert.getPublicKey(),
          "r1"))).encode().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    attacker.start();

    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    rsa = rsaGen.generateKeyPair();
    ec = ecKeyPair("secp256r1");
    ec384 = ecKeyPair("secp384r1");
    ec521 = ecKeyPair("secp521r1");

    issuer = new TestIssuer();
    issuer.publishRaw(rsaJwk((RSAPublicKey) rsa.getPublic(), "r1"));
    issuer.publishRaw(ecJwk(ec, "e1", "ES256", "P-256", 32));
    issuer.publishRaw(ecJwk(ec384, "e384", "ES384", "P-384", 48));
    issuer.publishRaw(ecJwk(ec521, "e521", "ES512", "P-521", 66));
    issuer.newKey("gone", "RS256", true);

    Map<String, String> env = TestGateway.env(issuer, null);
    env.put("JWKS_MIN_REFRESH_SECONDS", String.valueOf(WINDOW_MS / 1000));
    env.put("JWT_ALGORITHMS", "RS256,PS256,ES256,ES384,ES512");
    gw = TestGateway.start(env);

    Map<String, String> hmacEnv = TestGateway.env(issuer, null);
    hmacEnv.put("JWKS_MIN_REFRESH_SECONDS", String.valueOf(WINDOW_MS / 1000));
    hmacEnv.put("JWT_ALGORITHMS", "HS256,RS256");
    hmacEnv.put("JWT_HMAC_SECRET", SECRET);
    hmacGw = TestGateway.start(hmacEnv);
    loadAttackerKey(keytool, keyDir);

    seenFetches = issuer.fetchCount();
    seenAtNanos = System.nanoTime();
  }

  @AfterAll
  static void stop() {
    if (hmacGw != null) {
      hmacGw.close();
    }
    if (gw != null) {
      gw.close();
    }
    if (issuer != null) {
      issuer.close();
    }
    if (attacker != null) {
      attacker.stop(0);
    }
  }

  // ---------------------------------------------------------------- alg

  @Test
  void unsigned_alg_none_tokens_are_refused_while_keys_are_loaded() throws InterruptedException {
    String claims = Jwts.segment(TestIssuer.claims("mallory"));
    List<Case> cases = new ArrayList<>();
    for (String none : List.of("none", "None", "NONE", "nOnE")) {
      String header = Jwts.segment(new JsonObject().put("alg", none).put("typ", "JWT"));
      cases.add(bearer(none + " with an empty signature", header + "." + claims + ".", "three non-empty"));
      cases.add(bearer(none + " with two segments", header + "." + claims, "three non-empty"));
      cases.add(bearer(none + " with a signature", header + "." + claims + ".c2ln", "algorithm"));
      String withKid = Jwts.segment(new JsonObject().put("alg", none).put("kid", "r1"));
      cases.add(bearer(none + " naming a loaded kid", withKid + "." + claims + ".c2ln", "algorithm"));
    }
    assertRefusedWithoutFetch(gw, cases);
    assertRefusedWithoutFetch(hmacGw, cases);
  }

  @Test
  void algorithms_outside_the_allowlist_or_not_strings_are_refused() throws InterruptedException {
    JsonObject claims = TestIssuer.claims("mallory");
    byte[] rsaDer = rsa.getPublic().getEncoded();
    List<Case> cases = List.of(
        bearer("HS256 keyed with the RSA public key, on a gateway without HS256",
            Jwts.sign(header("HS256", "r1"), claims, hmacKey(rsaDer)), "algorithm"),
        bearer("RS384", Jwts.withSignature(rs(header("RS384", "r1"), claims), new byte[256]), "algorithm"),
        bearer("lower-case rs256", Jwts.withSignature(rs(header("rs256", "r1"), claims), new byte[256]), "algorithm"),
        bearer("RS256 with a trailing space", rs(header("RS256 ", "r1"), claims), "algorithm"),
        bearer("no alg", rs(new JsonObject().put("kid", "r1"), claims), "algorithm"),
        bearer("alg null", rs(new JsonObject().put("alg", (Object) null).put("kid", "r1"), claims), "algorithm"),
        bearer("alg as a number", rs(new JsonObject().put("alg", 256).put("kid", "r1"), claims), "algorithm"),
        bearer("alg as an array", rs(new JsonObject().put("alg", new JsonArray().add("RS256")).put("kid", "r1"),
            claims), "algorithm"),
        bearer("alg as an object", rs(new JsonObject().put("alg", new JsonObject().put("RS256", true)), claims),
            "algorithm"),
        // The alg is attacker text: it must not be reflected into the problem body or the WWW-Authenticate header.
        bearer("alg with CR LF", rs(header("RS256\r\nX-Injected: 1", "r1"), claims), "algorithm"),
        bearer("alg with a quote", rs(header("x\", error=\"injected", "r1"), claims), "algorithm"),
        bearer("alg of 5000 characters", rs(header("A".repeat(5000), "r1"), claims), "algorithm"));
    assertRefusedWithoutFetch(gw, cases);
  }

  @Test
  void gateway_refuses_to_start_when_no_loaded_key_fits_the_allowed_algorithms() {
    // With zero usable keys vertx-auth-jwt would run "unsecure" and accept alg:none; the gateway must not start.
    Map<String, String> hsOnly = TestGateway.env(issuer, null);
    hsOnly.put("JWT_ALGORITHMS", "HS256");
    assertThatThrownBy(() -> TestGateway.start(hsOnly).close())
        .hasMessageContaining("JWT_ALGORITHMS allows only HS* algorithms but JWT_HMAC_SECRET is not set");

    Map<String, String> psOnly = TestGateway.env(issuer, null); // the RSA keys are published for RS256 only
    psOnly.put("JWT_ALGORITHMS", "PS256,PS512");
    assertThatThrownBy(() -> TestGateway.start(psOnly).close())
        .hasMessageContaining("no usable JWT verification key");
  }

  @Test
  void hmac_secret_shorter_than_256_bits_is_a_configuration_error() {
    Map<String, String> env = new HashMap<>(Map.of("S3_BUCKET", "b", "AWS_REGION", "us-east-1",
        "JWT_ISSUER", TestIssuer.ISSUER, "JWT_AUDIENCE", TestIssuer.AUDIENCE));
    env.put("JWT_HMAC_SECRET", "x".repeat(31));
    assertThatThrownBy(() -> GatewayConfig.fromEnv(env)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("JWT_HMAC_SECRET has 248 bits");
    env.put("JWT_HMAC_SECRET", "x".repeat(32));
    assertThat(GatewayConfig.fromEnv(env).jwt().algorithms()).containsExactly("HS256");
  }

  @Test
  void rsa_public_key_used_as_hmac_secret_is_refused_while_hs256_is_active() throws InterruptedException {
    JsonObject claims = TestIssuer.claims("mallory");
    // Controls: both algorithms really verify on this gateway.
    assertThat(presign(hmacGw, Jwts.sign(header("HS256", null), TestIssuer.claims("alice"),
        hmacKey(SECRET.getBytes(StandardCharsets.UTF_8)))).statusCode()).isEqualTo(200);
    assertThat(presign(hmacGw, rs(header("RS256", "r1"), TestIssuer.claims("alice"))).statusCode()).isEqualTo(200);

    RSAPublicKey pub = (RSAPublicKey) rsa.getPublic();
    byte[] der = pub.getEncoded();
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    JsonObject jwk = rsaJwk(pub, "r1");
    Map<String, byte[]> secrets = Map.of(
        "X.509 DER", der,
        "PEM text", pem.getBytes(StandardCharsets.US_ASCII),
        "PEM text without the final newline", pem.strip().getBytes(StandardCharsets.US_ASCII),
        "modulus bytes", unsigned(pub.getModulus()),
        "modulus base64url text", jwk.getString("n").getBytes(StandardCharsets.US_ASCII),
        "JWK JSON", jwk.encode().getBytes(StandardCharsets.UTF_8),
        "JWKS JSON as served", issuer.jwks().encode().getBytes(StandardCharsets.UTF_8));
    List<Case> cases = new ArrayList<>();
    secrets.forEach((what, secret) -> {
      cases.add(bearer("HS256 keyed with the " + what + ", kid r1",
          Jwts.sign(header("HS256", "r1"), claims, hmacKey(secret)), "signature"));
      cases.add(bearer("HS256 keyed with the " + what + ", no kid",
          Jwts.sign(header("HS256", null), claims, hmacKey(secret)), "signature"));
    });
    assertRefusedWithoutFetch(hmacGw, cases);
  }

  // ---------------------------------------------------------------- embedded and remote keys

  @Test
  void embedded_and_remote_key_headers_are_ignored_and_never_fetched() throws Exception {
    String base = "http://127.0.0.1:" + attacker.getAddress().getPort();
    String x5c = Base64.getEncoder().encodeToString(evilCert.getEncoded());
    JsonObject evilJwk = rsaJwk((RSAPublicKey) evilCert.getPublicKey(), "r1");
    JsonObject claims = TestIssuer.claims("mallory");
    Map<String, JsonObject> headers = new java.util.LinkedHashMap<>();
    for (String kid : new String[] {"r1", null}) {
      String k = kid == null ? "no kid" : "kid " + kid;
      headers.put("jku, " + k, header("RS256", kid).put("jku", base + "/jwks.json"));
      headers.put("x5u, " + k, header("RS256", kid).put("x5u", base + "/cert.pem"));
      headers.put("jwk, " + k, header("RS256", kid).put("jwk", evilJwk));
      headers.put("x5c, " + k, header("RS256", kid).put("x5c", new JsonArray().add(x5c)));
      headers.put("all four, " + k, header("RS256", kid).put("jku", base + "/jwks.json")
          .put("x5u", base + "/cert.pem").put("jwk", evilJwk).put("x5c", new JsonArray().add(x5c)));
    }
    List<Case> cases = new ArrayList<>();
    headers.forEach((name, header) ->
        cases.add(bearer(name + ", signed by the attacker's key", Jwts.sign(header, claims, evil), "signature")));
    assertRefusedWithoutFetch(gw, cases);
    assertThat(attackerHits.get()).as("requests to the attacker's URLs").isZero();

    // Control: the attacker's server does answer, so zero hits above means the gateway never called it.
    HttpResponse<String> direct = TestGateway.send(HttpRequest.newBuilder(URI.create(base + "/jwks.json")).build());
    assertThat(direct.statusCode()).isEqualTo(200);
    assertThat(attackerHits.getAndSet(0)).isEqualTo(1);
  }

  @Test
  void critical_header_extensions_are_refused() throws InterruptedException {
    JsonObject claims = TestIssuer.claims("mallory");
    List<Case> cases = List.of(
        bearer("crit naming a registered claim", rs(header("RS256", "r1").put("crit", new JsonArray().add("exp")),
            claims), "crit"),
        bearer("crit b64=false (RFC 7797)", rs(header("RS256", "r1").put("b64", false)
            .put("crit", new JsonArray().add("b64")), claims), "crit"),
        bearer("crit with a private extension", rs(header("RS256", "r1").put("https://evil.test/ext", 1)
            .put("crit", new JsonArray().add("https://evil.test/ext")), claims), "crit"),
        bearer("crit empty", rs(header("RS256", "r1").put("crit", new JsonArray()), claims), "crit"),
        bearer("crit as a string", rs(header("RS256", "r1").put("crit", "exp"), claims), "crit"),
        bearer("crit null", rs(header("RS256", "r1").put("crit", (Object) null), claims), "crit"));
    assertRefusedWithoutFetch(gw, cases);
  }

  // ---------------------------------------------------------------- claims

  @Test
  void claims_that_fail_the_checks_are_refused_without_a_fetch_even_under_an_unknown_kid()
      throws InterruptedException {
    long now = Instant.now().getEpochSecond();
    BigInteger twoTo64 = BigInteger.ONE.shiftLeft(64);
    Map<String, JsonObject> bad = new java.util.LinkedHashMap<>();
    bad.put("no exp", without(TestIssuer.claims("alice"), "exp"));
    bad.put("exp null", TestIssuer.claims("alice").put("exp", (Object) null));
    bad.put("exp as a numeric string", TestIssuer.claims("alice").put("exp", "9999999999"));
    bad.put("exp as a boolean", TestIssuer.claims("alice").put("exp", true));
    bad.put("exp as an object", TestIssuer.claims("alice").put("exp", new JsonObject()));
    bad.put("exp expired", TestIssuer.claims("alice").put("exp", now - 120));
    bad.put("exp past 2^63 (would wrap)",
        TestIssuer.claims("alice").put("exp", twoTo64.add(BigInteger.valueOf(now + 600))));
    bad.put("nbf in the future", TestIssuer.claims("alice").put("nbf", now + 3600));
    bad.put("nbf as a string", TestIssuer.claims("alice").put("nbf", String.valueOf(now)));
    bad.put("nbf 2^64 (would wrap to 0)", TestIssuer.claims("alice").put("nbf", twoTo64));
    bad.put("iat in the future", TestIssuer.claims("alice").put("iat", now + 3600));
    bad.put("iat 2^64 (would wrap to 0)", TestIssuer.claims("alice").put("iat", twoTo64));
    bad.put("wrong iss", TestIssuer.claims("alice").put("iss", "https://evil.test"));
    bad.put("no iss", without(TestIssuer.claims("alice"), "iss"));
    bad.put("iss in other case", TestIssuer.claims("alice").put("iss", TestIssuer.ISSUER.toUpperCase()));
    bad.put("iss with a trailing slash", TestIssuer.claims("alice").put("iss", TestIssuer.ISSUER + "/"));
    bad.put("iss as an array", TestIssuer.claims("alice").put("iss", new JsonArray().add(TestIssuer.ISSUER)));
    bad.put("wrong aud", TestIssuer.claims("alice").put("aud", "other-app"));
    bad.put("no aud", without(TestIssuer.claims("alice"), "aud"));
    bad.put("aud of other apps only", TestIssuer.claims("alice").put("aud", new JsonArray().add("a").add("b")));
    bad.put("aud empty array", TestIssuer.claims("alice").put("aud", new JsonArray()));
    bad.put("aud as an object", TestIssuer.claims("alice").put("aud", new JsonObject().put(TestIssuer.AUDIENCE, 1)));
    bad.put("aud as a prefix of ours", TestIssuer.claims("alice").put("aud", "presign"));
    bad.put("no sub", without(TestIssuer.claims("alice"), "sub"));
    bad.put("sub empty", TestIssuer.claims("alice").put("sub", ""));
    bad.put("sub as a number", TestIssuer.claims("alice").put("sub", 42));
    List<Case> cases = new ArrayList<>();
    bad.forEach((name, claims) -> {
      // Properly signed with a loaded key: only the claim can be the reason.
      cases.add(bearer(name + " (kid r1)", rs(header("RS256", "r1"), claims), null));
      // Under a kid the gateway does not hold: were claims not checked first, this would trigger a JWKS fetch.
      cases.add(bearer(name + " (unknown kid)", Jwts.sign(header("RS256", "rotated-" + name.hashCode()), claims,
          evil), null));
    });
    assertRefusedWithoutFetch(gw, cases);
  }

  @Test
  void fractional_numeric_dates_are_accepted() {
    // RFC 7519 NumericDate may be non-integer: 1.5e9-style values are accepted, strings are not (above).
    long now = Instant.now().getEpochSecond();
    JsonObject claims = TestIssuer.claims("alice").put("exp", now + 600.5).put("iat", now - 0.5);
    HttpResponse<String> r = presign(gw, rs(header("RS256", "r1"), claims));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- compact serialization

  @Test
  void malformed_compact_serialization_is_refused() throws InterruptedException {
    String valid = rs(header("RS256", "r1"), TestIssuer.claims("mallory"));
    String[] p = valid.split("\\.");
    String stdHeader = Base64.getEncoder().encodeToString("{\"alg\":\"RS256\",\"kid\":\"r1\",\"x\":\"??>>\"}"
        .getBytes(StandardCharsets.UTF_8)).replace("=", "");
    List<Case> cases = List.of(
        bearer("!!!", "!!!", "segments"),
        bearer("!!!.!!!.!!!", "!!!.!!!.!!!", null),
        bearer("header !!!", "!!!." + p[1] + "." + p[2], null),
        bearer("payload !!!", p[0] + ".!!!." + p[2], null),
        bearer("signature !!!", p[0] + "." + p[1] + ".!!!", null),
        bearer("one segment", p[0], "segments"),
        bearer("two segments", p[0] + "." + p[1], "segments"),
        bearer("four segments", valid + "." + p[2], "segments"),
        bearer("five segments", valid + "." + p[1] + "." + p[2], "segments"),
        bearer("a trailing dot", valid + ".", "segments"),
        bearer("only dots", "..", "segments"),
        bearer("empty header", "." + p[1] + "." + p[2], "segments"),
        bearer("empty payload", p[0] + ".." + p[2], "segments"),
        bearer("padding on the header", p[0] + "=." + p[1] + "." + p[2], null),
        bearer("padding on the payload", p[0] + "." + p[1] + "==." + p[2], null),
        bearer("padding on the signature", valid + "=", null),
        bearer("padding on the signature (two)", valid + "==", null),
        bearer("non-canonical last signature character (unused bits set)",
            valid.substring(0, valid.length() - 1) + flipUnusedBits(valid.charAt(valid.length() - 1)), null),
        bearer("standard base64 header with + and /", stdHeader + "." + p[1] + "." + p[2], null),
        bearer("a space inside", p[0] + ". " + p[1] + "." + p[2], null),
        bearer("a tab inside", p[0] + "." + p[1] + "\t." + p[2], null),
        bearer("header is a JSON array", b64("[\"RS256\"]") + "." + p[1] + "." + p[2], null),
        bearer("header is a JSON string", b64("\"RS256\"") + "." + p[1] + "." + p[2], null),
        bearer("header is empty JSON", b64("{}") + "." + p[1] + "." + p[2], "algorithm"),
        bearer("payload is not JSON", p[0] + "." + b64("hello") + "." + p[2], null),
        bearer("payload is a JSON array", p[0] + "." + b64("[1]") + "." + p[2], null),
        new Case("Basic scheme", "Basic " + valid, 401, "Bearer"),
        new Case("Bearer without a token", "Bearer ", 401, null),
        new Case("token without a scheme", valid, 401, "Bearer"));
    assertRefusedWithoutFetch(gw, cases);
    // Control: the untouched token verifies, so each refusal above is the mutation's doing.
    assertThat(presign(gw, rs(header("RS256", "r1"), TestIssuer.claims("alice"))).statusCode()).isEqualTo(200);
  }

  @Test
  void duplicate_members_comments_and_non_json_in_signed_segments_are_refused() throws InterruptedException {
    long now = Instant.now().getEpochSecond();
    String head = "{\"alg\":\"RS256\",\"kid\":\"r1\"}";
    String claims = "\"iss\":\"" + TestIssuer.ISSUER + "\",\"aud\":\"" + TestIssuer.AUDIENCE + "\",\"exp\":"
        + (now + 600);
    Map<String, String[]> raw = new java.util.LinkedHashMap<>();
    // Decision: duplicate member names are refused rather than resolved (Jackson keeps the last, other parsers the
    // first): an issuer and this gateway must never read two different subjects out of one signed token.
    raw.put("duplicate sub", new String[] {head, "{" + claims + ",\"sub\":\"alice\",\"sub\":\"bob\"}"});
    raw.put("duplicate exp", new String[] {head, "{" + claims + ",\"sub\":\"alice\",\"exp\":" + (now - 600) + "}"});
    raw.put("duplicate nested member", new String[] {head,
        "{" + claims + ",\"sub\":\"alice\",\"prefixes\":{\"a\":1,\"a\":2}}"});
    raw.put("duplicate alg in the header", new String[] {"{\"alg\":\"none\",\"kid\":\"r1\",\"alg\":\"RS256\"}",
        "{" + claims + ",\"sub\":\"alice\"}"});
    raw.put("duplicate kid in the header", new String[] {"{\"alg\":\"RS256\",\"kid\":\"x\",\"kid\":\"r1\"}",
        "{" + claims + ",\"sub\":\"alice\"}"});
    raw.put("block comment in the payload", new String[] {head, "{" + claims + ",/* admin */\"sub\":\"alice\"}"});
    raw.put("line comment in the payload", new String[] {head, "{" + claims + ",\"sub\":\"alice\"// x\n}"});
    raw.put("comment in the header", new String[] {"{\"alg\":\"RS256\",/**/\"kid\":\"r1\"}",
        "{" + claims + ",\"sub\":\"alice\"}"});
    raw.put("trailing data after the payload object", new String[] {head, "{" + claims + ",\"sub\":\"alice\"} {}"});
    raw.put("trailing comma", new String[] {head, "{" + claims + ",\"sub\":\"alice\",}"});
    raw.put("single quotes", new String[] {head, "{" + claims + ",'sub':'alice'}"});
    raw.put("unquoted member name", new String[] {head, "{" + claims + ",sub:\"alice\"}"});
    raw.put("NaN exp", new String[] {head, "{\"iss\":\"" + TestIssuer.ISSUER + "\",\"aud\":\"" + TestIssuer.AUDIENCE
        + "\",\"sub\":\"alice\",\"exp\":NaN}"});
    raw.put("exp 1e400 (infinite)", new String[] {head, "{\"iss\":\"" + TestIssuer.ISSUER + "\",\"aud\":\""
        + TestIssuer.AUDIENCE + "\",\"sub\":\"alice\",\"exp\":1e400}"});
    List<Case> cases = new ArrayList<>();
    raw.forEach((name, hp) -> cases.add(bearer(name, Jwts.signRaw("RS256", hp[0], hp[1], rsa.getPrivate()), null)));
    byte[] badUtf8 = ("{" + claims + ",\"sub\":\"ali\u0000ce\"}").getBytes(StandardCharsets.UTF_8);
    badUtf8[badUtf8.length - 5] = (byte) 0xC3; // the NUL becomes a lone UTF-8 lead byte
    cases.add(bearer("invalid UTF-8 in the payload", Jwts.signRaw("RS256",
        head.getBytes(StandardCharsets.UTF_8), badUtf8, rsa.getPrivate()), null));
    assertRefusedWithoutFetch(gw, cases);

    // Control: the same construction without the defect authenticates.
    String clean = Jwts.signRaw("RS256", head, "{" + claims + ",\"sub\":\"alice\"}", rsa.getPrivate());
    assertThat(presign(gw, clean).statusCode()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- ECDSA signature encodings

  @Test
  void ecdsa_signatures_other_than_fixed_length_jose_r_s_are_refused() throws InterruptedException {
    List<Case> cases = new ArrayList<>();
    for (Object[] curve : new Object[][] {{"ES256", "e1", ec}, {"ES384", "e384", ec384}, {"ES512", "e521", ec521}}) {
      String alg = (String) curve[0];
      KeyPair pair = (KeyPair) curve[2];
      String valid = Jwts.sign(header(alg, (String) curve[1]), TestIssuer.claims("mallory"), pair.getPrivate());
      assertThat(presign(gw, valid).statusCode()).as("control: the untouched %s token", alg).isEqualTo(200);
      byte[] sig = Jwts.signatureOf(valid);
      int size = sig.length / 2;
      assertThat(size).isEqualTo(alg.equals("ES512") ? 66 : Integer.parseInt(alg.substring(2)) / 8);
      BigInteger n = ((ECPublicKey) pair.getPublic()).getParams().getOrder();
      byte[] r = Arrays.copyOfRange(sig, 0, size);
      byte[] s = Arrays.copyOfRange(sig, size, 2 * size);
      byte[] nBytes = fixed(n, size);
      Map<String, byte[]> variants = new java.util.LinkedHashMap<>();
      variants.put("DER instead of R||S", Jwts.joseToDer(sig));
      variants.put("a zero byte appended", Arrays.copyOf(sig, sig.length + 1));
      variants.put("0xff appended", concat(sig, new byte[] {(byte) 0xff}));
      variants.put("last byte cut", Arrays.copyOf(sig, sig.length - 1));
      variants.put("twice", concat(sig, sig));
      variants.put("a zero before r and before s", concat(new byte[1], r, new byte[1], s));
      variants.put("all zero", new byte[2 * size]);
      variants.put("r = 0", concat(new byte[size], s));
      variants.put("s = 0", concat(r, new byte[size]));
      variants.put("r = n", concat(nBytes, s));
      variants.put("s = n", concat(r, nBytes));
      variants.put("r = s = n", concat(nBytes, nBytes));
      variants.put("one byte", new byte[1]);
      variants.forEach((what, bytes) ->
          cases.add(bearer(alg + " signature " + what, Jwts.withSignature(valid, bytes), "signature")));
    }
    assertRefusedWithoutFetch(gw, cases);
  }

  @Test
  void high_s_twin_of_a_valid_ecdsa_signature_authenticates_the_same_subject() {
    // ECDSA is malleable: (r, n - s) verifies wherever (r, s) does. We accept both on purpose: JDK signers (and many
    // IdPs) produce either half at random, so a low-S rule would refuse about half of legitimate tokens. The twin
    // needs the original token, names the same subject, and this gateway keeps no per-token state (no replay cache
    // keyed on the signature) that a second spelling could slip past.
    String valid = es(TestIssuer.claims("alice"));
    byte[] sig = Jwts.signatureOf(valid);
    BigInteger n = ((ECPublicKey) ec.getPublic()).getParams().getOrder();
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    byte[] twin = concat(Arrays.copyOfRange(sig, 0, 32), fixed(n.subtract(s), 32));
    String twinToken = Jwts.withSignature(valid, twin);
    assertThat(twinToken).isNotEqualTo(valid);
    for (String token : List.of(valid, twinToken)) {
      HttpResponse<String> r = presign(gw, token);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(new JsonObject(r.body()).getString("key")).startsWith("users/alice/");
    }
  }

  // ---------------------------------------------------------------- kid and key rotation

  @Test
  void kid_naming_a_key_of_another_algorithm_or_no_kid_never_causes_a_fetch() throws InterruptedException {
    JsonObject claims = TestIssuer.claims("mallory");
    List<Case> cases = List.of(
        bearer("kid r1 (RSA) with alg ES256", Jwts.sign(header("ES256", "r1"), claims, ec.getPrivate()), null),
        bearer("kid e1 (EC) with alg RS256", rs(header("RS256", "e1"), claims), null),
        bearer("kid r1 with alg PS256 (allowed, but no PS256 key is loaded)",
            Jwts.withSignature(rs(header("PS256", "r1"), claims), new byte[256]), null),
        bearer("no kid with alg PS256", Jwts.withSignature(rs(header("PS256", null), claims), new byte[256]), null),
        bearer("no kid, RS256 signed by the attacker", Jwts.sign(header("RS256", null), claims, evil), "signature"),
        bearer("no kid, ES256 signed by a foreign EC key", Jwts.sign(header("ES256", null), claims, foreignEc()),
            "signature"),
        bearer("kid as a number", rs(header("RS256", null).put("kid", 42), claims), null),
        bearer("kid as an object", rs(header("RS256", null).put("kid", new JsonObject().put("r1", 1)), claims), null),
        bearer("kid as an array", rs(header("RS256", null).put("kid", new JsonArray().add("r1")), claims), null),
        bearer("kid null", rs(header("RS256", null).put("kid", (Object) null), claims), null));
    assertRefusedWithoutFetch(gw, cases);
  }

  @Test
  void unknown_kids_cause_at_most_one_fetch_per_window_and_are_never_echoed() throws InterruptedException {
    awaitRefreshWindow();
    JsonObject claims = TestIssuer.claims("mallory");
    int before = issuer.fetchCount();
    String first = Jwts.sign(header("RS256", "rotated-1"), claims, evil);
    assertProblem(presign(gw, first), 401);
    assertThat(issuer.fetchCount()).as("a valid-looking token under a new kid asks for one refresh")
        .isEqualTo(before + 1);
    List<String> kids = List.of("../../etc/passwd", "..\\..\\windows\\win.ini", "/jwks.json?x=",
        "http://127.0.0.1:" + attacker.getAddress().getPort() + "/jwks.json", "ключ-🔑-\u202Eevil",
        "e\u0301", "k".repeat(5000), "", " ", "\u0000", "line\r\nX-Injected: 1", "%2e%2e%2f", "r1\u0000", "R1",
        "r1 ");
    for (String kid : kids) {
      String name = "kid '" + kid.substring(0, Math.min(40, kid.length())) + "'";
      HttpResponse<String> r = presign(gw, Jwts.sign(header("RS256", kid), claims, evil));
      JsonObject problem = assertCase(name, r, 401);
      if (kid.length() > 2) {
        assertThat(problem.getString("detail")).as(name).doesNotContain(kid);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).as(name).doesNotContain(kid);
      }
      assertThat(issuer.fetchCount()).as("JWKS fetches after " + name + " in the same window").isEqualTo(before + 1);
    }
    assertThat(attackerHits.get()).isZero();
    assertThat(gw.gateway.keys().current().kids()).containsExactlyInAnyOrder("r1", "e1", "e384", "e521", "gone");
  }

  @Test
  void a_key_removed_from_the_jwks_stops_verifying_after_the_next_refresh() throws InterruptedException {
    String goneToken = issuer.token("gone", "alice");
    assertThat(presign(gw, goneToken).statusCode()).as("control: the key works while published").isEqualTo(200);
    issuer.unpublish("gone");
    awaitRefreshWindow();
    int before = issuer.fetchCount();
    issuer.newKey("never-published", "RS256", false);
    assertProblem(presign(gw, issuer.token("never-published", "mallory")), 401); // unknown kid: one refresh
    assertThat(issuer.fetchCount()).isEqualTo(before + 1);
    assertThat(gw.gateway.keys().current().kids()).doesNotContain("gone").contains("r1", "e1");
    JsonObject problem = assertProblem(presign(gw, goneToken), 401);
    assertThat(problem.getString("detail")).contains("kid");
    assertThat(issuer.fetchCount()).as("still inside the window").isEqualTo(before + 1);
    issuer.publish("gone"); // leave the issuer as the other tests found it (the gateway keeps its refreshed set)
  }

  // ---------------------------------------------------------------- size

  @Test
  void oversized_tokens_are_answered_with_problem_json() throws InterruptedException {
    awaitRefreshWindow();
    int before = issuer.fetchCount();
    String valid = rs(header("RS256", "r1"), TestIssuer.claims("mallory"));
    String[] p = valid.split("\\.");
    // 9 KiB: over Vert.x's 8192-byte header limit, refused before any handler runs.
    String huge = p[0] + "." + p[1] + "." + "A".repeat(9 * 1024);
    HttpResponse<String> r = presign(gw, huge);
    assertProblem(r, 431);
    // Just under the header limit: reaches the verifier, which refuses it like any bad signature.
    String big = p[0] + "." + b64(TestIssuer.claims("mallory").put("pad", "x".repeat(5000)).encode()) + "." + p[2];
    assertProblem(presign(gw, big), 401);
    assertThat(issuer.fetchCount()).isEqualTo(before);
    // The gateway still serves after the oversized request.
    assertThat(presign(gw, rs(header("RS256", "r1"), TestIssuer.claims("alice"))).statusCode()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- request fields

  @Test
  void a_content_type_with_a_line_break_or_tab_is_400_and_never_signed() {
    // The value is signed and listed in the answer's headers: a header value no client may send is refused.
    String alice = rs(header("RS256", "r1"), TestIssuer.claims("alice"));
    for (String type : List.of("image/png;\r\nx=y", "image/png\t; x=y", "image/png;\nX-Injected: 1",
        "\r\nimage/png", "image/png\r\n", "image/png; x=\"\u00e9\"")) {
      HttpResponse<String> r = gw.presign(alice, new JsonObject().put("filename", "a.png").put("contentType", type));
      JsonObject problem = assertCase("contentType " + type.replace("\r", "\\r").replace("\n", "\\n"), r, 400);
      assertThat(problem.getString("field")).as(type).isEqualTo("contentType");
      assertThat(r.body()).as(type).doesNotContain("X-Amz-Signature");
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Waits until the unknown-kid throttle window has passed since the last JWKS fetch this test saw. */
  static void awaitRefreshWindow() throws InterruptedException {
    int count = issuer.fetchCount();
    if (count != seenFetches) {
      seenFetches = count;
      seenAtNanos = System.nanoTime();
    }
    long waitMs = WINDOW_MS + 200 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - seenAtNanos);
    if (waitMs > 0) {
      Thread.sleep(waitMs);
    }
  }

  /** After the throttle window: each case gets its problem status and causes no JWKS fetch (nor attacker call). */
  static void assertRefusedWithoutFetch(TestGateway gateway, List<Case> cases) throws InterruptedException {
    awaitRefreshWindow();
    for (Case c : cases) {
      int before = issuer.fetchCount();
      HttpResponse<String> r = call(gateway, c.authorization());
      JsonObject problem = assertCase(c.name(), r, c.status());
      if (c.detail() != null) {
        assertThat(problem.getString("detail")).as(c.name()).containsIgnoringCase(c.detail());
      }
      assertThat(issuer.fetchCount()).as("JWKS fetches caused by: " + c.name()).isEqualTo(before);
    }
    assertThat(attackerHits.get()).as("requests to the attacker's URLs").isZero();
  }

  static JsonObject assertCase(String name, HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as("%s: %s", name, r.body()).isEqualTo(status);
    JsonObject problem = assertProblem(r, status);
    // Nothing from the token is reflected: no injected header, no injected challenge parameter.
    assertThat(r.headers().firstValue("X-Injected")).as(name).isEmpty();
    assertThat(problem.getString("detail")).as(name).doesNotContainIgnoringCase("injected");
    assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).as(name).doesNotContainIgnoringCase("injected");
    if (status == 401) {
      assertThat(r.headers().firstValue("WWW-Authenticate")).as(name)
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer "));
    }
    return problem;
  }

  static Case bearer(String name, String token, String detail) {
    return new Case(name, "Bearer " + token, 401, detail);
  }

  static HttpResponse<String> call(TestGateway gateway, String authorization) {
    return TestGateway.send(HttpRequest.newBuilder(URI.create(gateway.apiUrl("/api/s3/presign")))
        .timeout(Duration.ofSeconds(10)).header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"filename\":\"a.txt\"}")).build());
  }

  static HttpResponse<String> presign(TestGateway gateway, String token) {
    return gateway.presign(token, new JsonObject().put("filename", "a.txt"));
  }

  static JsonObject header(String alg, String kid) {
    JsonObject h = new JsonObject().put("alg", alg).put("typ", "JWT");
    return kid == null ? h : h.put("kid", kid);
  }

  /** Signed with the published RSA key "r1" (RS256) whatever the header says. */
  static String rs(JsonObject header, JsonObject claims) {
    return Jwts.signRaw("RS256", header.encode(), claims.encode(), rsa.getPrivate());
  }

  static String es(JsonObject claims) {
    return Jwts.sign(header("ES256", "e1"), claims, ec.getPrivate());
  }

  static KeyPair ecKeyPair(String curve) throws java.security.GeneralSecurityException {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec(curve));
    return gen.generateKeyPair();
  }

  static JsonObject ecJwk(KeyPair pair, String kid, String alg, String crv, int size) {
    ECPublicKey key = (ECPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "EC").put("alg", alg).put("use", "sig").put("kid", kid).put("crv", crv)
        .put("x", StaticKeys.b64(key.getW().getAffineX(), size))
        .put("y", StaticKeys.b64(key.getW().getAffineY(), size));
  }

  static JsonObject rsaJwk(RSAPublicKey key, String kid) {
    return new JsonObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig").put("kid", kid)
        .put("n", StaticKeys.b64(key.getModulus())).put("e", StaticKeys.b64(key.getPublicExponent()));
  }

  static Key hmacKey(byte[] secret) {
    return new SecretKeySpec(secret, "HmacSHA256");
  }

  static PrivateKey foreignEc() {
    try {
      return ecKeyPair("secp256r1").getPrivate();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject without(JsonObject json, String name) {
    json.remove(name);
    return json;
  }

  static String b64(String text) {
    return Jwts.b64(text.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] unsigned(BigInteger n) {
    byte[] b = n.toByteArray();
    return b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
  }

  static byte[] fixed(BigInteger n, int length) {
    byte[] b = unsigned(n);
    byte[] out = new byte[length];
    System.arraycopy(b, 0, out, length - b.length, b.length);
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /**
   * The last character of a 256-byte signature's base64url carries 4 unused bits; setting one gives another
   * spelling of the same bytes, which a lenient decoder accepts.
   */
  static char flipUnusedBits(char c) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    return alphabet.charAt(alphabet.indexOf(c) ^ 1);
  }

  /** Makes the attacker's key and a self-signed certificate for it with the JDK's keytool. */
  static Process startKeytool(Path dir) throws IOException {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "evil", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=attacker",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", dir.resolve("attacker.p12").toString(),
        "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
  }

  static void loadAttackerKey(Process keytool, Path dir) throws Exception {
    try (InputStream out = keytool.getInputStream()) {
      String log = new String(out.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(keytool.waitFor()).as(log).isZero();
    }
    Path store = dir.resolve("attacker.p12");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    evil = (PrivateKey) ks.getKey("evil", "changeit".toCharArray());
    evilCert = (X509Certificate) ks.getCertificate("evil");
    Files.delete(store);
    Files.delete(dir);
  }
}
