package dev.presign.gateway.it;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import dev.presign.gateway.dev.LocalStack;
import dev.presign.gateway.dev.S3ProxyProcess;
import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * S3 outages through the gateway's S3 API calls: an S3Proxy of this test's own stopped and started again, a TCP
 * listener that accepts and never answers (S3 slow), and an HTTP server answering S3's 500 and 503 SlowDown. Each is
 * a problem answer (503, 504, 502) within the call timeout, with the blocked-thread checker watching every event
 * loop at a low limit; readiness stays true; the gateway recovers by itself.
 */
class S3FaultsIT {
  static final String CHECKER = "io.vertx.core.impl.BlockedThreadChecker";
  static final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
  static final long CALL_TIMEOUT_MS = 1_500;
  static TestIssuer issuer;
  static int s3Port;
  static S3ProxyProcess s3;
  static TestGateway onProxy;
  static ServerSocket stalled;
  static final List<Socket> held = new CopyOnWriteArrayList<>();
  static HttpServer failing;
  static volatile int failingStatus;
  static volatile String failingCode;
  static String alice;

  @BeforeAll
  static void start() throws IOException {
    warnings.start();
    ((Logger) LoggerFactory.getLogger(CHECKER)).addAppender(warnings);
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    alice = issuer.token("k1", "alice");
    s3Port = LocalS3.freePort();
    s3 = startS3();
    onProxy = gateway(s3.endpoint());

    stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!stalled.isClosed()) {
        try {
          held.add(stalled.accept()); // accepted, never read, never answered
        } catch (IOException closed) {
          return;
        }
      }
    }, "stalled-s3");
    acceptor.setDaemon(true);
    acceptor.start();

    failing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    failing.createContext("/", exchange -> {
      byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + failingCode + "</Code><Message>"
          + "injected</Message><RequestId>r1</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/xml");
      exchange.getRequestBody().readAllBytes();
      // HEAD answers carry no body: S3 then gives only the status.
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(failingStatus, head ? -1 : xml.length);
      if (!head) {
        exchange.getResponseBody().write(xml);
      }
      exchange.close();
    });
    failing.start();
  }

  static S3ProxyProcess startS3() {
    S3ProxyProcess proxy = S3ProxyProcess.start(Path.of(System.getProperty("s3proxy.jar", "target/s3proxy.jar")),
        s3Port, List.of("http://127.0.0.1:" + LocalS3.freePort()));
    LocalStack.createBucket(proxy.endpoint(), LocalS3.BUCKET, LocalS3.REGION);
    return proxy;
  }

  static TestGateway gateway(String s3Endpoint) {
    Map<String, String> env = TestGateway.env(issuer, s3Endpoint);
    env.put("ALLOWED_CONTENT_TYPES", "text/plain");
    env.put("S3_API_TIMEOUT_MS", String.valueOf(CALL_TIMEOUT_MS));
    env.put("S3_API_MAX_RETRIES", "1");
    env.put("HTTP_INSTANCES", "2");
    VertxOptions options = new VertxOptions()
        .setMaxEventLoopExecuteTime(200).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(10).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS);
    return TestGateway.start(env, options, TestGateway.S3PROXY_CREDENTIALS);
  }

  @AfterAll
  static void stop() throws IOException {
    onProxy.close();
    s3.close();
    stalled.close();
    for (Socket s : held) {
      s.close();
    }
    failing.stop(0);
    issuer.close();
    ((Logger) LoggerFactory.getLogger(CHECKER)).detachAppender(warnings);
  }

  @BeforeEach
  void clear() {
    warnings.list.clear();
  }

  static HttpResponse<String> confirm(TestGateway gw, String key) {
    return gw.post("/api/s3/uploads/confirm", alice, "application/json", new JsonObject().put("key", key).encode());
  }

  static String upload(TestGateway gw, byte[] bytes) {
    HttpResponse<String> signed = gw.presign(alice, new JsonObject().put("filename", "f.txt")
        .put("contentType", "text/plain").put("size", bytes.length));
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(signed.body());
    HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(answer.getString("uploadUrl")))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).header("Content-Type", "text/plain");
    assertThat(TestGateway.send(put.build()).statusCode()).isEqualTo(200);
    return answer.getString("key");
  }

  static int readiness(TestGateway gw) {
    return TestGateway.send(HttpRequest.newBuilder(URI.create(gw.managementUrl("/health/ready"))).build())
        .statusCode();
  }

  static long millis(Runnable r) {
    long start = System.nanoTime();
    r.run();
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void s3_stopped_mid_test_is_a_503_then_the_next_call_after_it_returns_succeeds() {
    String key = upload(onProxy, "here".getBytes(StandardCharsets.UTF_8));
    assertThat(confirm(onProxy, key).statusCode()).isEqualTo(200);

    s3.close();
    long took = millis(() -> {
      JsonObject problem = assertProblem(confirm(onProxy, key), 503);
      assertThat(problem.getString("detail")).contains("S3 cannot be reached");
      assertThat(problem.getString("s3")).isEqualTo("unreachable");
    });
    assertThat(took).isLessThan(CALL_TIMEOUT_MS + 1_000);
    assertThat(readiness(onProxy)).isEqualTo(200);

    s3 = startS3(); // in memory: the bucket is new and empty
    String again = upload(onProxy, "back".getBytes(StandardCharsets.UTF_8));
    JsonObject confirmed = new JsonObject(confirm(onProxy, again).body());
    assertThat(confirmed.getLong("size")).isEqualTo(4);
    assertThat(metrics(onProxy)).contains("presign_s3_call_seconds_count{operation=\"head_object\",outcome=\"unreachable\"}");
    assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }

  @Test
  void s3_that_accepts_and_never_answers_is_a_504_within_the_call_timeout() {
    try (TestGateway gw = gateway("http://127.0.0.1:" + stalled.getLocalPort())) {
      warnings.list.clear();
      long took = millis(() -> {
        JsonObject problem = assertProblem(confirm(gw, "users/alice/x/f.txt"), 504);
        assertThat(problem.getString("detail")).contains("did not answer within " + CALL_TIMEOUT_MS + " ms");
      });
      assertThat(took).isLessThan(CALL_TIMEOUT_MS + 1_000);
      assertThat(readiness(gw)).isEqualTo(200);
      assertThat(metrics(gw)).contains("presign_s3_call_seconds_count{operation=\"head_object\",outcome=\"timeout\"}");
      assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }
  }

  @Test
  void s3_answering_500_is_a_502_and_slowdown_a_503_never_a_500() {
    try (TestGateway gw = gateway("http://127.0.0.1:" + failing.getAddress().getPort())) {
      warnings.list.clear();
      failingStatus = 500;
      failingCode = "InternalError";
      assertThat(assertProblem(confirm(gw, "users/alice/x/f.txt"), 502).getString("s3")).isEqualTo("server_error");
      failingStatus = 503;
      failingCode = "SlowDown";
      assertThat(assertProblem(confirm(gw, "users/alice/x/f.txt"), 503).getString("s3")).isEqualTo("throttled");
      assertThat(readiness(gw)).isEqualTo(200);
      assertThat(warnings.list).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }
  }

  static String metrics(TestGateway gw) {
    return TestGateway.send(HttpRequest.newBuilder(URI.create(gw.managementUrl("/metrics"))).build()).body();
  }
}
