package dev.presign.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real JWKS endpoint that rotates, fails and is flooded with unknown kids. */
class JwksRotationTest {
  static final long WINDOW_MS = 2_000;
  TestIssuer issuer;
  TestGateway gw;

  @BeforeEach
  void start() {
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    Map<String, String> env = TestGateway.env(issuer, null);
    env.put("JWKS_MIN_REFRESH_SECONDS", String.valueOf(WINDOW_MS / 1000));
    env.put("JWKS_TIMEOUT_MS", "2000");
    // Bursts of unknown kids from one address: the per-address edge limit (EdgeLimitTest) would answer most of them
    // 429 before any fetch; this test is about the fetch throttle behind it.
    env.put("EDGE_RATE_LIMIT_PER_SECOND", "0");
    gw = TestGateway.start(env);
  }

  @AfterEach
  void stop() {
    gw.close();
    issuer.close();
  }

  int presign(String token) {
    return gw.presign(token, new JsonObject().put("filename", "a.txt")).statusCode();
  }

  void waitForWindow() throws InterruptedException {
    Thread.sleep(WINDOW_MS + 300);
  }

  @Test
  void a_new_kid_is_accepted_after_the_refresh_it_triggers() throws InterruptedException {
    assertThat(presign(issuer.token("k1", "alice"))).isEqualTo(200);
    issuer.newKey("k2", "ES256", true);
    waitForWindow();
    int before = issuer.fetchCount();
    assertThat(presign(issuer.token("k2", "alice"))).isEqualTo(200);
    assertThat(issuer.fetchCount()).isEqualTo(before + 1);
    assertThat(gw.gateway.keys().current().kids()).containsExactlyInAnyOrder("k1", "k2");
  }

  @Test
  void a_burst_of_unknown_kids_causes_at_most_one_fetch_per_window() throws InterruptedException {
    List<String> tokens = IntStream.range(0, 60).mapToObj(i -> {
      String kid = "rogue-" + i;
      issuer.newKey(kid, "RS256", false);
      return issuer.token(kid, "mallory");
    }).toList();
    waitForWindow();
    int before = issuer.fetchCount();
    assertThat(burst(tokens.subList(0, 30))).containsOnly(401);
    assertThat(issuer.fetchCount()).isEqualTo(before + 1);
    assertThat(burst(tokens.subList(30, 60))).containsOnly(401);
    assertThat(issuer.fetchCount()).as("second burst inside the same window").isEqualTo(before + 1);
    waitForWindow();
    assertThat(burst(tokens.subList(0, 30))).containsOnly(401);
    assertThat(issuer.fetchCount()).as("next window").isEqualTo(before + 2);
  }

  @Test
  void a_token_with_bad_claims_never_causes_a_fetch() throws InterruptedException {
    issuer.newKey("k9", "RS256", false);
    long past = Instant.now().getEpochSecond() - 3600;
    String expired = issuer.token("k9", TestIssuer.claims("alice").put("exp", past));
    String foreign = issuer.token("k9", TestIssuer.claims("alice").put("aud", "other-app"));
    waitForWindow();
    int before = issuer.fetchCount();
    assertThat(presign(expired)).isEqualTo(401);
    assertThat(presign(foreign)).isEqualTo(401);
    assertThat(issuer.fetchCount()).isEqualTo(before);
  }

  @Test
  void the_last_good_keys_stay_when_the_jwks_endpoint_fails() throws InterruptedException {
    issuer.answerStatus(500);
    issuer.newKey("k3", "RS256", true);
    waitForWindow();
    int before = issuer.fetchCount();
    assertThat(presign(issuer.token("k3", "alice"))).isEqualTo(401);
    assertThat(issuer.fetchCount()).isEqualTo(before + 1);
    assertThat(presign(issuer.token("k1", "alice"))).isEqualTo(200);
  }

  @Test
  void slow_garbage_or_unreachable_jwks_keeps_the_last_good_keys() throws Exception {
    issuer.newKey("k4", "RS256", true);
    String unknown = issuer.token("k4", "alice");
    String known = issuer.token("k1", "alice");
    long failures = gw.gateway.keys().refreshFailures();

    issuer.answerBody("{\"keys\": [ not json");
    waitForWindow();
    assertThat(presign(unknown)).isEqualTo(401);
    assertThat(presign(known)).isEqualTo(200);

    issuer.answerBody("{\"keys\": [{\"kty\": \"RSA\", \"n\": \"AQAB\"}]}");
    waitForWindow();
    assertThat(presign(unknown)).isEqualTo(401);
    assertThat(presign(known)).isEqualTo(200);

    issuer.answerBody(null);
    issuer.answerDelay(4_000); // longer than JWKS_TIMEOUT_MS
    waitForWindow();
    long start = System.nanoTime();
    assertThat(presign(unknown)).isEqualTo(401);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded by the JWKS timeout")
        .isLessThan(Duration.ofMillis(3_500));
    assertThat(presign(known)).isEqualTo(200);
    issuer.answerDelay(0);

    assertThat(gw.gateway.keys().refreshFailures()).isEqualTo(failures + 3);
    assertThat(gw.gateway.keys().current().kids()).containsExactly("k1");
  }

  @Test
  void an_unreachable_jwks_keeps_the_last_good_keys() throws Exception {
    issuer.newKey("k5", "RS256", true);
    String unknown = issuer.token("k5", "alice");
    issuer.close(); // connection refused from now on
    waitForWindow();
    assertThat(presign(unknown)).isEqualTo(401);
    assertThat(presign(issuer.token("k1", "alice"))).isEqualTo(200);
    assertThat(gw.gateway.keys().refreshFailures()).isEqualTo(1);
  }

  @Test
  void the_gateway_refuses_to_start_when_the_jwks_holds_no_usable_key() {
    try (TestIssuer empty = new TestIssuer()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestGateway.start(TestGateway.env(empty, null)))
          .hasMessageContaining("no usable JWT verification key");
    }
  }

  private List<Integer> burst(List<String> tokens) {
    HttpClient client = TestGateway.HTTP;
    List<CompletableFuture<HttpResponse<String>>> all = tokens.stream().map(t -> client.sendAsync(
        HttpRequest.newBuilder(URI.create(gw.apiUrl("/api/s3/presign")))
            .header("Authorization", "Bearer " + t).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"filename\":\"a.txt\"}")).build(),
        HttpResponse.BodyHandlers.ofString())).toList();
    return all.stream().map(f -> f.join().statusCode()).toList();
  }
}
