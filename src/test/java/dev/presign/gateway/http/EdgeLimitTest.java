package dev.presign.gateway.http;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Unauthenticated junk cannot buy expensive verifications: tokens with a known kid, valid-looking claims and a
 * random ES256 signature, from one client address, get 429 before any signature check once that address has used
 * its verifications; tokens already verified (the cache) pass untouched, and other addresses are not affected.
 */
class EdgeLimitTest {
  static final int BURST = 5;
  TestIssuer issuer;
  TestGateway gw;

  @BeforeEach
  void start() {
    issuer = new TestIssuer();
    issuer.newKey("k1", "ES256", true);
    Map<String, String> env = TestGateway.env(issuer, null);
    env.put("EDGE_RATE_LIMIT_PER_SECOND", "0.01"); // one more every 100 s: nothing refills during the test
    env.put("EDGE_RATE_LIMIT_BURST", String.valueOf(BURST));
    env.put("CLIENT_IP_HEADER", "X-Forwarded-For");
    env.put("RATE_LIMIT_PER_SECOND", "0");
    gw = TestGateway.start(env);
  }

  @AfterEach
  void stop() {
    gw.close();
    issuer.close();
  }

  @Test
  void junk_tokens_with_a_known_kid_from_one_address_get_429_before_verification_once_its_burst_is_used() {
    String client = "203.0.113.7";
    String cached = issuer.token("k1", "alice");
    assertThat(presign(cached, client).statusCode()).isEqualTo(200); // verified once: one of the burst

    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> last = null;
    for (int i = 0; i < 20; i++) {
      last = presign(junkToken(i), client);
      statuses.add(last.statusCode());
    }
    assertThat(statuses.subList(0, BURST - 1)).as("the rest of the burst is verified: bad signature")
        .containsOnly(401);
    assertThat(statuses.subList(BURST - 1, statuses.size())).as("then refused before verification").containsOnly(429);
    JsonObject problem = assertProblem(last, 429);
    assertThat(problem.getString("detail")).contains("too many new tokens to verify from this client address");
    assertThat(Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow())).isPositive();

    // Only the verifications that ran were timed; the refused tokens never reached the verifier.
    String scrape = get(gw.managementUrl("/metrics"));
    assertThat(sample(scrape, "presign_jwt_validation_seconds_count")).isEqualTo(BURST);
    assertThat(sample(scrape, "presign_edge_limited_total")).isEqualTo(20 - (BURST - 1));
    assertThat(sample(scrape, "presign_requests_total{operation=\"put\",outcome=\"rate_limited\"}"))
        .isEqualTo(20 - (BURST - 1));

    // The cached token's fast path is not charged: it still works from the limited address.
    assertThat(presign(cached, client).statusCode()).isEqualTo(200);
    // A token not verified yet needs a verification: refused from this address, fine from another one.
    String fresh = issuer.token("k1", "bob");
    assertThat(presign(fresh, client).statusCode()).isEqualTo(429);
    assertThat(presign(fresh, "198.51.100.9").statusCode()).isEqualTo(200);
  }

  @Test
  void the_address_is_the_last_forwarded_for_entry_the_proxy_appended_not_one_the_client_wrote() {
    for (int i = 0; i < BURST; i++) {
      assertThat(presign(junkToken(i), "10.0.0." + i + ", 203.0.113.8").statusCode()).isEqualTo(401);
    }
    // Changing the entries a client can forge does not give it a new bucket.
    assertThat(presign(junkToken(99), "192.0.2.1, 203.0.113.8").statusCode()).isEqualTo(429);
    assertThat(presign(junkToken(100), "203.0.113.9").statusCode()).isEqualTo(401);
  }

  /** A well-formed ES256 token for kid k1 with claims that pass every check and a random 64-byte signature. */
  static String junkToken(int seed) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    byte[] signature = new byte[64];
    new Random(seed).nextBytes(signature);
    return b64.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8))
        + "." + b64.encodeToString(TestIssuer.claims("mallory").encode().getBytes(StandardCharsets.UTF_8))
        + "." + b64.encodeToString(signature);
  }

  HttpResponse<String> presign(String token, String forwardedFor) {
    return TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/api/s3/presign")))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").header("X-Forwarded-For", forwardedFor)
        .POST(HttpRequest.BodyPublishers.ofString("{\"filename\":\"a.txt\"}")).build());
  }

  static String get(String url) {
    return TestGateway.send(HttpRequest.newBuilder(URI.create(url)).GET().build()).body();
  }

  static long sample(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> (long) Double.parseDouble(l.substring(series.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError("no sample " + series));
  }
}
