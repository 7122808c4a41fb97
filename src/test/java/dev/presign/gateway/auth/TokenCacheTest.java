package dev.presign.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.support.Jwts;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Repeated tokens are answered from a per-verifier cache that never outlives a token or its key. */
class TokenCacheTest {
  static final String SECRET = "token-cache-test-secret-0123456789abcdef";
  Vertx vertx;
  TestIssuer issuer;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    issuer = new TestIssuer();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
    issuer.close();
  }

  GatewayConfig.Jwt config(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of("JWT_ISSUER", TestIssuer.ISSUER, "JWT_AUDIENCE",
        TestIssuer.AUDIENCE, "S3_BUCKET", "b", "AWS_REGION", "us-east-1", "JWT_LEEWAY_SECONDS", "0",
        "JWKS_MIN_REFRESH_SECONDS", "1", "JWKS_REFRESH_SECONDS", "10"));
    env.putAll(extra);
    return GatewayConfig.fromEnv(env).jwt();
  }

  static String hs256(JsonObject claims) {
    return Jwts.sign(new JsonObject().put("alg", "HS256").put("typ", "JWT"), claims,
        new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
  }

  static <T> T await(Future<T> f) {
    return f.toCompletionStage().toCompletableFuture().join();
  }

  static boolean fails(Future<?> f) {
    return f.toCompletionStage().toCompletableFuture().handle((v, e) -> e != null).join();
  }

  TokenVerifier hmacVerifier() {
    GatewayConfig.Jwt jwt = config(Map.of("JWT_HMAC_SECRET", SECRET));
    KeySource keys = new KeySource(vertx, jwt, StaticKeys.fromSecret(SECRET, jwt.algorithms()), List.of(), null);
    await(keys.start());
    return new TokenVerifier(vertx, keys, jwt, Clock.systemUTC());
  }

  @Test
  void a_repeated_token_is_answered_from_the_cache() {
    TokenVerifier verifier = hmacVerifier();
    String token = hs256(TestIssuer.claims("alice"));
    assertThat(await(verifier.verify("Bearer " + token)).subject()).isEqualTo("alice");
    assertThat(verifier.cacheHits()).isZero();
    assertThat(await(verifier.verify("Bearer " + token)).subject()).isEqualTo("alice");
    assertThat(verifier.cacheHits()).isEqualTo(1);
  }

  @Test
  void only_the_exact_token_matches() {
    TokenVerifier verifier = hmacVerifier();
    String token = hs256(TestIssuer.claims("alice"));
    await(verifier.verify("Bearer " + token));
    String last = token.substring(token.length() - 1);
    String altered = token.substring(0, token.length() - 1) + (last.equals("A") ? "Q" : "A");
    assertThat(fails(verifier.verify("Bearer " + altered))).isTrue();
    assertThat(fails(verifier.verify("Bearer " + token.substring(0, token.length() - 2)))).isTrue();
    assertThat(verifier.cacheHits()).isZero();
  }

  @Test
  void a_token_with_a_cached_tokens_signature_but_another_payload_is_verified_not_taken_from_the_cache() {
    // The cache hashes only a token's last characters (its signature's): equal tails must still be told apart.
    TokenVerifier verifier = hmacVerifier();
    String alice = hs256(TestIssuer.claims("alice"));
    await(verifier.verify("Bearer " + alice));
    String[] parts = alice.split("\\.");
    String forged = parts[0] + "." + hs256(TestIssuer.claims("mallo")).split("\\.")[1] + "." + parts[2];
    assertThat(forged).hasSameSizeAs(alice).isNotEqualTo(alice);
    assertThat(new TokenVerifier.TokenKey(forged)).hasSameHashCodeAs(new TokenVerifier.TokenKey(alice));
    assertThat(fails(verifier.verify("Bearer " + forged))).isTrue();
    assertThat(verifier.cacheHits()).isZero();
    assertThat(await(verifier.verify("Bearer " + alice)).subject()).isEqualTo("alice");
    assertThat(verifier.cacheHits()).isEqualTo(1);
  }

  @Test
  void a_cached_token_expires_with_the_token() throws InterruptedException {
    TokenVerifier verifier = hmacVerifier();
    String token = hs256(TestIssuer.claims("alice").put("exp", Instant.now().getEpochSecond() + 2));
    assertThat(fails(verifier.verify("Bearer " + token))).isFalse();
    Thread.sleep(2_100);
    assertThat(fails(verifier.verify("Bearer " + token))).as("expired while cached").isTrue();
  }

  @Test
  void cached_tokens_are_dropped_when_their_key_leaves_the_jwks() throws InterruptedException {
    issuer.newKey("old", "RS256", true);
    GatewayConfig.Jwt jwt = config(Map.of("JWT_JWKS_URL", issuer.jwksUrl()));
    KeySource keys = new KeySource(vertx, jwt, List.of(), List.of(), URI.create(issuer.jwksUrl()));
    await(keys.start());
    TokenVerifier verifier = new TokenVerifier(vertx, keys, jwt, Clock.systemUTC());
    String old = issuer.token("old", "alice");
    assertThat(fails(verifier.verify("Bearer " + old))).isFalse();
    assertThat(fails(verifier.verify("Bearer " + old))).isFalse();
    assertThat(verifier.cacheHits()).isEqualTo(1);

    issuer.unpublish("old");
    issuer.newKey("new", "ES256", true);
    // An unknown kid asks for a refresh at most once a second: retried until the rotation is picked up (a fixed
    // 1.2 s sleep was not always enough on a busy machine), within 10 s.
    String bob = issuer.token("new", "bob");
    long deadline = System.nanoTime() + 10_000_000_000L;
    boolean refused = true;
    while (refused && System.nanoTime() < deadline) {
      Thread.sleep(200);
      refused = fails(verifier.verify("Bearer " + bob));
    }
    assertThat(refused).as("rotation picked up").isFalse();
    assertThat(keys.current().kids()).containsExactly("new");
    assertThat(fails(verifier.verify("Bearer " + old))).as("old key's token after rotation").isTrue();
  }

  @Test
  void a_zero_cache_size_disables_caching() {
    GatewayConfig.Jwt jwt = config(Map.of("JWT_HMAC_SECRET", SECRET, "JWT_CACHE_SIZE", "0"));
    KeySource keys = new KeySource(vertx, jwt, StaticKeys.fromSecret(SECRET, jwt.algorithms()), List.of(), null);
    await(keys.start());
    TokenVerifier verifier = new TokenVerifier(vertx, keys, jwt, Clock.systemUTC());
    String token = hs256(TestIssuer.claims("alice"));
    await(verifier.verify("Bearer " + token));
    await(verifier.verify("Bearer " + token));
    assertThat(verifier.cacheHits()).isZero();
  }

  @Test
  void a_cache_of_n_tokens_holds_n_and_drops_the_least_recently_used_beyond() {
    GatewayConfig.Jwt jwt = config(Map.of("JWT_HMAC_SECRET", SECRET, "JWT_CACHE_SIZE", "2"));
    KeySource keys = new KeySource(vertx, jwt, StaticKeys.fromSecret(SECRET, jwt.algorithms()), List.of(), null);
    await(keys.start());
    TokenVerifier verifier = new TokenVerifier(vertx, keys, jwt, Clock.systemUTC());
    String alice = hs256(TestIssuer.claims("alice"));
    String bob = hs256(TestIssuer.claims("bob"));
    String carol = hs256(TestIssuer.claims("carol"));
    await(verifier.verify("Bearer " + alice));
    await(verifier.verify("Bearer " + bob));
    await(verifier.verify("Bearer " + alice));
    await(verifier.verify("Bearer " + bob));
    assertThat(verifier.cacheHits()).as("both of two fit").isEqualTo(2);
    await(verifier.verify("Bearer " + carol)); // drops alice, the least recently used
    await(verifier.verify("Bearer " + bob));
    assertThat(verifier.cacheHits()).isEqualTo(3);
    await(verifier.verify("Bearer " + alice));
    assertThat(verifier.cacheHits()).as("alice was dropped").isEqualTo(3);
  }
}
