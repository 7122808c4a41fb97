package dev.presign.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The readiness warm-up: the gateway reports ready only once it has sent itself its warm-up requests (or its time
 * limit has passed), those requests take the real path and are answered, and they leave no trace in the request
 * metrics, the audit log or the API's key set.
 */
class WarmUpTest {
  private final ListAppender<ILoggingEvent> audit = new ListAppender<>();
  private TestIssuer issuer;
  private TestGateway gw;

  @BeforeEach
  void issuer() {
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    audit.start();
    ((Logger) LoggerFactory.getLogger("audit")).addAppender(audit);
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger("audit")).detachAppender(audit);
    if (gw != null) {
      gw.close();
    }
    issuer.close();
  }

  private TestGateway start(int requests, long maxMillis) {
    Map<String, String> env = TestGateway.env(issuer, null);
    env.put("WARM_UP_REQUESTS", String.valueOf(requests));
    env.put("WARM_UP_MAX_MS", String.valueOf(maxMillis));
    gw = TestGateway.start(env);
    return gw;
  }

  @Test
  void readiness_stays_down_until_the_warm_up_ends_and_its_time_limit_ends_it() throws Exception {
    long started = System.nanoTime();
    start(1_000_000, 2_000); // more requests than 2 s allow: the time limit ends it
    int notReadyAnswers = 0;
    while (!gw.gateway.warmedUp().isComplete()) {
      HttpResponse<String> ready = get("/health/ready");
      if (!gw.gateway.warmedUp().isComplete()) { // answered while the warm-up was still running
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
        assertThat(ready.body()).contains("warming up");
        assertThat(gw.gateway.keys().current().kids()).noneMatch(kid -> kid.startsWith("warm-up"));
        notReadyAnswers++;
      }
      Thread.sleep(20);
    }
    WarmUp.Result result = gw.gateway.warmedUp().await();
    assertThat(notReadyAnswers).isPositive();
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
    assertThat(result.stoppedBy()).isEqualTo("time limit");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2 + 1 + 5)); // + start
    // The real path answered: tokens of the warm-up's own keys verified, URLs signed, refusals as problem+json.
    assertThat(result.statuses()).containsKeys(200, 400, 401);
    assertThat(result.statuses().get(200)).isGreaterThan(result.statuses().get(401));
    // Its keys were never the API's, and the API's were never changed.
    assertThat(gw.gateway.keys().current().kids()).containsExactly("k1");
  }

  @Test
  void warm_up_requests_are_not_in_the_request_metrics_nor_in_the_audit_log() throws Exception {
    start(300, 30_000);
    WarmUp.Result result = gw.gateway.warmedUp().await();
    assertThat(result.stoppedBy()).isEqualTo("requests");
    assertThat(result.requests()).isGreaterThanOrEqualTo(300);
    assertThat(result.statuses().get(200)).isPositive();

    String scrape = get("/metrics").body();
    assertThat(sum(scrape, "presign_requests_total")).isZero();
    assertThat(sum(scrape, "vertx_http_server_requests_total", "route=\"/api/s3/presign\"")).isZero();
    assertThat(sum(scrape, "presign_jwt_validation_seconds_count")).isZero();
    assertThat(sum(scrape, "presign_warmup_duration_seconds")).isPositive();
    assertThat(sum(scrape, "presign_startup_duration_seconds")).isPositive();
    assertThat(audit.list).isEmpty();

    // One real request shows in each of them: what was looked for above is where it would have been.
    String token = issuer.token("k1", "alice");
    assertThat(gw.presign(token, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(200);
    String after = get("/metrics").body();
    assertThat(sum(after, "presign_requests_total", "outcome=\"ok\"")).isEqualTo(1);
    assertThat(sum(after, "vertx_http_server_requests_total", "route=\"/api/s3/presign\"")).isEqualTo(1);
    assertThat(audit.list).hasSize(1);
  }

  @Test
  void without_warm_up_the_gateway_is_ready_as_soon_as_it_has_started() {
    start(0, 5_000);
    assertThat(gw.gateway.warmedUp().isComplete()).isTrue();
    assertThat(gw.gateway.warmedUp().result()).isNull();
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> get(String path) {
    return TestGateway.send(HttpRequest.newBuilder(URI.create(gw.managementUrl(path))).timeout(Duration.ofSeconds(10))
        .GET().build());
  }

  /** The sum of a metric's samples whose labels contain every one of {@code labels}. */
  private static double sum(String scrape, String metric, String... labels) {
    Matcher m = Pattern.compile("(?m)^" + metric + "(\\{[^}]*})?\\s+(\\S+)").matcher(scrape);
    double total = 0;
    while (m.find()) {
      String found = m.group(1) == null ? "" : m.group(1);
      if (Arrays.stream(labels).allMatch(found::contains)) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return total;
  }
}
