package dev.presign.gateway.signing;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.Gateway;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.metrics.GatewayMetrics;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The credentials chain starts failing: the gateway signs with its snapshot while it is valid, turns not ready
 * before it expires, then answers 503, and recovers by itself once the chain works again. Time is a test clock.
 */
class CredentialsFaultTest {

  static final class TestClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  @Test
  void failing_refresh_keeps_the_snapshot_then_goes_unready_then_503_then_recovers() throws Exception {
    TestClock clock = new TestClock();
    Instant expiry = clock.instant().plus(Duration.ofHours(1));
    AtomicReference<Supplier<AwsCredentials>> chain = new AtomicReference<>(() -> session(expiry));
    try (TestIssuer issuer = new TestIssuer()) {
      issuer.newKey("k1", "RS256", true);
      Map<String, String> env = TestGateway.env(issuer, null);
      env.put("AWS_CREDENTIALS_REFRESH_SECONDS", "1");
      PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
      Vertx vertx = Gateway.newVertx(new VertxOptions(), registry);
      Gateway gateway = new Gateway(vertx, registry, GatewayConfig.fromEnv(env), clock, () -> chain.get().get())
          .start().await();
      try {
        // The gateway checks token expiry on the test clock too: this token outlives every jump below.
        String token = issuer.token("k1", TestIssuer.claims("alice").put("exp", expiry.getEpochSecond() + 7200));
        Probe probe = new Probe(gateway, token);
        assertThat(probe.presign().statusCode()).isEqualTo(200);

        chain.set(() -> {
          throw new IllegalStateException("STS unreachable");
        });
        Thread.sleep(2_500); // two failed refreshes
        assertThat(probe.presign().statusCode()).as("snapshot still valid").isEqualTo(200);
        assertThat(probe.ready()).isEqualTo(200);

        clock.now.set(expiry.minusSeconds(45));
        assertThat(probe.ready()).as("not ready before expiry").isEqualTo(503);
        HttpResponse<String> late = probe.presign();
        assertThat(late.statusCode()).isEqualTo(200);
        assertThat(expiresParam(late)).as("URL capped at what the credentials have left").isBetween(40, 45);

        clock.now.set(expiry.minusSeconds(10));
        assertThat(assertProblem(probe.presign(), 503).getString("detail")).contains("credentials");

        Instant renewed = clock.instant().plus(Duration.ofHours(1));
        chain.set(() -> session(renewed));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (probe.ready() != 200 && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(probe.ready()).as("recovered by itself").isEqualTo(200);
        assertThat(probe.presign().statusCode()).isEqualTo(200);
      } finally {
        gateway.stop().await();
        vertx.close().await();
      }
    }
  }

  static AwsCredentials session(Instant expiry) {
    return AwsSessionCredentials.builder().accessKeyId("ASIAFAULT").secretAccessKey("fault-secret")
        .sessionToken("fault-session").expirationTime(expiry).build();
  }

  static int expiresParam(HttpResponse<String> response) {
    Matcher m = Pattern.compile("X-Amz-Expires=(\\d+)").matcher(new JsonObject(response.body()).getString("uploadUrl"));
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  record Probe(Gateway gateway, String token) {
    HttpResponse<String> presign() {
      return TestGateway.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.apiPort() + "/api/s3/presign"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"filename\":\"a.txt\"}")).build());
    }

    int ready() {
      return TestGateway.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + gateway.managementPort() + "/health/ready")).build()).statusCode();
    }
  }
}
