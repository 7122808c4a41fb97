package dev.presign.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.support.Jwts;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each kind of token failure gets its own detail, decided by the failure's type, never by the wording of a library's
 * message: vertx-auth-jwt's verification (real keys, real signatures) and the strict JSON reading of the segments.
 */
class TokenErrorsTest {
  private static final String SECRET = "token-errors-test-secret-0123456789abcdef";
  private static final long NOW = 1_700_000_000L; // November 2023: long before any wall clock this test runs on
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** A verifier of HS256 tokens signed with SECRET and of the given public keys' (as from a key file). */
  private TokenVerifier verifier(Clock clock, String algorithms, List<JsonObject> jwks) {
    Map<String, String> env = new java.util.HashMap<>(Map.of("JWT_ISSUER", TestIssuer.ISSUER, "JWT_AUDIENCE",
        TestIssuer.AUDIENCE, "S3_BUCKET", "b", "AWS_REGION", "us-east-1", "JWT_LEEWAY_SECONDS", "0",
        "JWT_HMAC_SECRET", SECRET, "JWT_ALGORITHMS", algorithms));
    GatewayConfig.Jwt jwt = GatewayConfig.fromEnv(env).jwt();
    KeySource source = new KeySource(vertx, jwt, StaticKeys.fromSecret(SECRET, jwt.algorithms()), jwks, null);
    source.start().toCompletionStage().toCompletableFuture().join();
    return new TokenVerifier(vertx, source, jwt, clock);
  }

  private static Clock at(long epochSecond) {
    return Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
  }

  private static JsonObject claims(long now) {
    return new JsonObject().put("iss", TestIssuer.ISSUER).put("aud", TestIssuer.AUDIENCE).put("sub", "alice")
        .put("iat", now - 10).put("exp", now + 300);
  }

  private static String hs256(JsonObject claims) {
    return Jwts.sign(new JsonObject().put("alg", "HS256"), claims,
        new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
  }

  /** The failure's detail, or "ok:" and the subject. */
  private static String outcome(Future<Caller> f) {
    return f.toCompletionStage().toCompletableFuture()
        .handle((caller, e) -> e == null ? "ok: " + caller.subject()
            : (e instanceof AuthException ? "" : e.getClass().getName() + ": ") + e.getMessage())
        .join();
  }

  private static String tamper(String token) {
    byte[] sig = Jwts.signatureOf(token);
    sig[sig.length / 2] ^= 1;
    return Jwts.withSignature(token, sig);
  }

  @Test
  void the_verifiers_clock_alone_decides_expiry_not_the_librarys_wall_clock() {
    // Valid at the verifier's clock (2023), expired for years on the wall clock: vertx-auth-jwt, on its own clock,
    // would refuse it with a message ("Invalid JWT token: token expired.") and nothing else to tell why.
    TokenVerifier verifier = verifier(at(NOW), "HS256", List.of());
    assertThat(outcome(verifier.verify("Bearer " + hs256(claims(NOW))))).isEqualTo("ok: alice");
    // And expiry on the verifier's clock is its own typed refusal.
    TokenVerifier later = verifier(at(NOW + 301), "HS256", List.of());
    assertThat(outcome(later.verify("Bearer " + hs256(claims(NOW))))).isEqualTo("token expired");
  }

  @Test
  void a_signature_that_does_not_verify_is_said_so_for_every_key_type() throws Exception {
    long now = Instant.now().getEpochSecond();
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    KeyPair rsa = rsaGen.generateKeyPair();
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ec = ecGen.generateKeyPair();
    Set<String> algs = Set.of("RS256", "ES256");
    List<JsonObject> jwks = new ArrayList<>(StaticKeys.fromPublicKey(rsa.getPublic(), algs));
    jwks.addAll(StaticKeys.fromPublicKey(ec.getPublic(), algs));
    TokenVerifier verifier = verifier(Clock.systemUTC(), "HS256,RS256,ES256", jwks);

    String hs = hs256(claims(now));
    String rs = Jwts.sign(new JsonObject().put("alg", "RS256"), claims(now), rsa.getPrivate());
    String es = Jwts.sign(new JsonObject().put("alg", "ES256"), claims(now), ec.getPrivate());
    for (String token : List.of(hs, rs, es)) {
      assertThat(outcome(verifier.verify("Bearer " + token))).isEqualTo("ok: alice"); // control
      assertThat(outcome(verifier.verify("Bearer " + tamper(token)))).isEqualTo("token signature is invalid");
    }
    // Signed by another key of the same type: the JDK's verifier says no, not a malformed input.
    KeyPair otherRsa = rsaGen.generateKeyPair();
    String foreign = Jwts.sign(new JsonObject().put("alg", "RS256"), claims(now), otherRsa.getPrivate());
    assertThat(outcome(verifier.verify("Bearer " + foreign))).isEqualTo("token signature is invalid");
    // An RSA signature of the wrong size fails inside the JDK, wrapped by vertx-auth-jwt: still a signature.
    byte[] shortSig = Arrays.copyOf(Jwts.signatureOf(rs), 100);
    assertThat(outcome(verifier.verify("Bearer " + Jwts.withSignature(rs, shortSig))))
        .isEqualTo("token signature is invalid");
  }

  @Test
  void a_duplicate_member_name_is_named_wherever_it_is() {
    TokenVerifier verifier = verifier(at(NOW), "HS256", List.of());
    String claims = "\"iss\":\"" + TestIssuer.ISSUER + "\",\"aud\":\"" + TestIssuer.AUDIENCE + "\",\"exp\":"
        + (NOW + 300);
    SecretKeySpec key = new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    String head = "{\"alg\":\"HS256\"}";
    List<String[]> cases = List.of( // where, header, payload
        new String[] {"payload", head, "{" + claims + ",\"sub\":\"alice\",\"sub\":\"bob\"}"},
        new String[] {"header", "{\"alg\":\"HS256\",\"alg\":\"HS256\"}", "{" + claims + ",\"sub\":\"alice\"}"},
        new String[] {"payload", head, "{" + claims + ",\"sub\":\"a\",\"x\":{\"k\":1,\"k\":2}}"},
        new String[] {"payload", head, "{" + claims + ",\"sub\":\"a\",\"x\":[{\"k\":1},{\"k\":1,\"k\":2}]}"});
    for (String[] c : cases) {
      assertThat(outcome(verifier.verify("Bearer " + Jwts.signRaw("HS256", c[1], c[2], key)))).as(c[2])
          .isEqualTo("token " + c[0] + " is not strict JSON (duplicate member name)");
    }
    // The same name in sibling objects, or at two depths, is no duplicate.
    String fine = Jwts.signRaw("HS256", "{\"alg\":\"HS256\"}", "{" + claims
        + ",\"sub\":\"alice\",\"x\":[{\"k\":1},{\"k\":2}],\"y\":{\"sub\":{\"sub\":1}}}", key);
    assertThat(outcome(verifier.verify("Bearer " + fine))).isEqualTo("ok: alice");
    String broken = Jwts.signRaw("HS256", "{\"alg\":\"HS256\"}", "{" + claims + ",\"sub\":'alice'}", key);
    assertThat(outcome(verifier.verify("Bearer " + broken))).isEqualTo("token payload is not strict JSON");
  }

  @Test
  void an_algorithm_not_accepted_is_named_only_when_it_is_short_visible_ascii() {
    TokenVerifier verifier = verifier(at(NOW), "HS256", List.of());
    SecretKeySpec key = new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    String payload = claims(NOW).encode();
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("{\"alg\":\"none\"}", "none");
    cases.put("{\"alg\":\"!~\"}", "!~"); // the first and last visible ASCII characters
    cases.put("{\"alg\":\"ABCDEFGHIJKLMNOP\"}", "ABCDEFGHIJKLMNOP"); // 16: the longest named
    cases.put("{\"alg\":\"ABCDEFGHIJKLMNOPQ\"}", "(unsupported value)");
    cases.put("{\"alg\":\"RS 256\"}", "(unsupported value)");
    cases.put("{\"alg\":\"RS\\u007f\"}", "(unsupported value)");
    cases.put("{\"alg\":\"\"}", ""); // empty: nothing to echo
    cases.put("{\"typ\":\"JWT\"}", "(none given)");
    cases.put("{\"alg\":256}", "(not a string)");
    cases.forEach((header, named) -> assertThat(outcome(verifier.verify("Bearer " + Jwts.signRaw("HS256", header,
        payload, key)))).as(header).startsWith("token algorithm " + named + " is not accepted; accepted: "));
  }

  @Test
  void a_token_of_8192_characters_is_read_and_one_of_8193_is_refused_unread() {
    TokenVerifier v = verifier(at(NOW), "HS256", List.of());
    assertThat(outcome(v.verify("Bearer " + "a".repeat(TokenVerifier.MAX_TOKEN_CHARS))))
        .isEqualTo("token must be a signed JWT: three non-empty base64url segments");
    assertThat(outcome(v.verify("Bearer " + "a".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1))))
        .isEqualTo("token is longer than 8192 characters");
  }

  @Test
  void a_verifier_whose_keys_never_loaded_refuses_every_token() {
    Map<String, String> env = Map.of("JWT_ISSUER", TestIssuer.ISSUER, "JWT_AUDIENCE", TestIssuer.AUDIENCE,
        "S3_BUCKET", "b", "AWS_REGION", "us-east-1", "JWT_HMAC_SECRET", SECRET, "JWT_ALGORITHMS", "HS256");
    GatewayConfig.Jwt jwt = GatewayConfig.fromEnv(env).jwt();
    KeySource notStarted = new KeySource(vertx, jwt, StaticKeys.fromSecret(SECRET, jwt.algorithms()), List.of(), null);
    TokenVerifier v = new TokenVerifier(vertx, notStarted, jwt, at(NOW));
    assertThat(outcome(v.verify("Bearer " + hs256(claims(NOW))))).isEqualTo("no verification keys are loaded");
  }

  @Test
  void the_check_before_verification_sees_each_client_once_per_signature_check_and_may_refuse() {
    List<Object> seen = new ArrayList<>();
    TokenVerifier v = verifier(at(NOW), "HS256", List.of()).beforeVerification(client -> {
      seen.add(client);
      if (client.equals("blocked")) {
        throw new IllegalStateException("rate limited");
      }
    });
    String token = hs256(claims(NOW));
    assertThat(outcome(v.verify("Bearer " + token, "client-1"))).isEqualTo("ok: alice");
    assertThat(outcome(v.verify("Bearer " + token, "client-1"))).as("a cache hit").isEqualTo("ok: alice");
    assertThat(seen).containsExactly("client-1");
    String other = hs256(claims(NOW).put("sub", "bob"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> v.verify("Bearer " + other, "blocked"))
        .hasMessage("rate limited");
    assertThat(seen).containsExactly("client-1", "blocked");
  }

  @Test
  void numeric_dates_up_to_two_to_the_53_are_read_and_larger_ones_refused() {
    TokenVerifier v = verifier(at(NOW), "HS256", List.of());
    assertThat(v.checkClaims(claims(NOW).put("exp", 9_007_199_254_740_992L)).subject()).isEqualTo("alice");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> v.checkClaims(claims(NOW).put("exp", 18_014_398_509_481_984L)))
        .isInstanceOf(AuthException.class).hasMessage("token claim exp is out of range");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> v.checkClaims(claims(NOW).put("nbf", -18_014_398_509_481_984L)))
        .isInstanceOf(AuthException.class).hasMessage("token claim nbf is out of range");
  }
}
