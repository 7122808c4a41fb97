package dev.presign.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Vert.x's blocked-thread checker with a low limit watches every event loop while the gateway serves valid and
 * invalid presigns, JWKS refreshes included: it must never fire. A control proves it fires when a loop blocks.
 */
class EventLoopNeverBlockedTest {
  static final String CHECKER = "io.vertx.core.impl.BlockedThreadChecker";
  static final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
  static TestIssuer issuer;
  static TestGateway gw;

  @BeforeAll
  static void start() {
    warnings.start();
    ((Logger) LoggerFactory.getLogger(CHECKER)).addAppender(warnings);
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    issuer.newKey("e1", "ES256", true);
    Map<String, String> env = TestGateway.env(issuer, null);
    env.put("HTTP_INSTANCES", "2");
    // 400 concurrent requests from one address, a third with a kid the gateway must fetch first: every one of them
    // misses the token cache while the fetch runs, which the per-address edge limit (EdgeLimitTest) would refuse.
    env.put("EDGE_RATE_LIMIT_PER_SECOND", "0");
    VertxOptions options = new VertxOptions()
        .setMaxEventLoopExecuteTime(200).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS);
    gw = TestGateway.start(env, options, TestGateway.S3PROXY_CREDENTIALS);
  }

  @AfterAll
  static void stop() {
    gw.close();
    issuer.close();
    ((Logger) LoggerFactory.getLogger(CHECKER)).detachAppender(warnings);
  }

  @BeforeEach
  void clear() {
    synchronized (warnings) {
      warnings.list.clear();
    }
  }

  @Test
  void serving_presigns_and_rejections_never_blocks_an_event_loop() throws Exception {
    // A cold JVM loads Netty's and Vert.x's own classes on the first requests: let that happen, then watch.
    List<String> tokens = List.of(issuer.token("k1", "alice"), issuer.token("e1", "bob"),
        "not-a-token", issuer.token("k1", TestIssuer.claims("x").put("exp", 1)));
    assertThat(send(tokens, 40)).isEqualTo(20);
    issuer.newKey("late", "RS256", true); // fetched on demand while the load runs
    Thread.sleep(1_200);
    synchronized (warnings) {
      warnings.list.clear();
    }
    tokens = List.of(issuer.token("k1", "alice"), issuer.token("e1", "bob"), issuer.token("late", "carol"),
        "not-a-token", issuer.token("k1", TestIssuer.claims("x").put("exp", 1)));
    assertThat(send(tokens, 400)).isEqualTo(240);
    assertThat(warned()).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }

  @Test
  void serving_downloads_batches_and_sign_requests_never_blocks_an_event_loop() {
    // A subject of its own: its 200 requests must not use up the other tests' callers' rate limits.
    String dora = issuer.token("k1", "dora");
    String[][] requests = {
        {"/api/s3/download", "{\"key\":\"users/dora/1/a.txt\",\"filename\":\"résumé.txt\"}"},
        {"/api/s3/presign/batch", "{\"files\":[{\"filename\":\"a.png\"},{\"filename\":\"b.png\"}]}"},
        {"/api/s3/sign", "{\"method\":\"POST\",\"key\":\"big.png\",\"contentType\":\"image/png\"}"},
        {"/api/s3/sign", "{\"method\":\"PUT\",\"key\":\"users/dora/1/big.png\",\"uploadId\":\"u1\",\"partNumber\":2}"},
        {"/api/s3/sign", "{\"method\":\"GET\",\"key\":\"users/bob/1/big.png\",\"uploadId\":\"u1\"}"}};
    synchronized (warnings) {
      warnings.list.clear();
    }
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String[] request = requests[i % requests.length];
      inFlight.add(TestGateway.HTTP.sendAsync(HttpRequest.newBuilder(URI.create(gw.apiUrl(request[0])))
          .header("Authorization", "Bearer " + dora).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(request[1])).build(), HttpResponse.BodyHandlers.ofString()));
    }
    List<Integer> statuses = inFlight.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();
    assertThat(statuses).containsOnly(200, 403, 429);
    assertThat(statuses).contains(200, 403);
    assertThat(warned()).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }

  /** Sends {@code count} presigns at once, cycling through the tokens; returns how many got 200. */
  private static long send(List<String> tokens, int count) {
    HttpClient client = TestGateway.HTTP;
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String token = tokens.get(i % tokens.size());
      JsonObject body = new JsonObject().put("filename", "f" + i + ".png").put("contentType", "image/png")
          .put("size", i);
      inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create(gw.apiUrl("/api/s3/presign")))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString()));
    }
    return inFlight.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200).count();
  }

  @Test
  void the_checker_does_fire_when_an_event_loop_blocks() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    gw.vertx.runOnContext(v -> {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      done.complete(null);
    });
    done.get(5, TimeUnit.SECONDS);
    assertThat(warned()).extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(m -> assertThat(m).contains("has been blocked"));
  }

  /**
   * What the checker has logged so far, copied: its thread may append while a test reads (logback's AppenderBase
   * appends under the appender's lock).
   */
  static java.util.List<ILoggingEvent> warned() {
    synchronized (warnings) {
      return new java.util.ArrayList<>(warnings.list);
    }
  }
}
