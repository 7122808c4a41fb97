package dev.presign.gateway.http;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Download, batch and sign on the real server: the pipeline's rules hold for each, under its own operation. */
class OperationsApiTest {
  private static final String ORIGIN = "https://app.example.com";
  static TestIssuer issuer;
  static TestGateway gw;

  @BeforeAll
  static void start() {
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    Map<String, String> env = TestGateway.env(issuer, null);
    env.put("CORS_ALLOWED_ORIGINS", ORIGIN);
    env.put("RATE_LIMIT_PER_SECOND", "0.1");
    env.put("RATE_LIMIT_BURST", "5");
    gw = TestGateway.start(env);
  }

  @AfterAll
  static void stop() {
    gw.close();
    issuer.close();
  }

  @Test
  void each_endpoint_is_counted_under_its_own_operation() {
    String token = issuer.token("k1", "counted");
    double get = count("get", "ok");
    double sign = count("sign", "ok");
    double batch = count("batch", "ok");
    double denied = count("get", "denied");
    assertThat(gw.post("/api/s3/download", token, "application/json",
        "{\"key\":\"users/counted/1/a.txt\"}").statusCode()).isEqualTo(200);
    assertThat(gw.post("/api/s3/sign", token, "application/json",
        "{\"method\":\"PUT\",\"key\":\"a.png\",\"contentType\":\"image/png\"}").statusCode()).isEqualTo(200);
    assertThat(gw.post("/api/s3/presign/batch", token, "application/json",
        "{\"files\":[{\"filename\":\"a.txt\"}]}").statusCode()).isEqualTo(200);
    assertProblem(gw.post("/api/s3/download", token, "application/json", "{\"key\":\"users/bob/1/a.txt\"}"), 403);
    assertThat(count("get", "ok") - get).isEqualTo(1.0);
    assertThat(count("sign", "ok") - sign).isEqualTo(1.0);
    assertThat(count("batch", "ok") - batch).isEqualTo(1.0);
    assertThat(count("get", "denied") - denied).isEqualTo(1.0);
  }

  @Test
  void a_batch_is_charged_one_permit_per_file_all_or_none() {
    String token = issuer.token("k1", "batcher");
    JsonArray three = new JsonArray().add(new JsonObject().put("filename", "1")).add(new JsonObject()
        .put("filename", "2")).add(new JsonObject().put("filename", "3"));
    String body = new JsonObject().put("files", three).encode();
    assertThat(gw.post("/api/s3/presign/batch", token, "application/json", body).statusCode()).isEqualTo(200);
    // 2 of the burst of 5 are left: a batch of 3 does not fit, and takes nothing.
    HttpResponse<String> limited = gw.post("/api/s3/presign/batch", token, "application/json", body);
    assertProblem(limited, 429);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    assertThat(gw.presign(token, new JsonObject().put("filename", "a")).statusCode()).isEqualTo(200);
    assertThat(gw.presign(token, new JsonObject().put("filename", "b")).statusCode()).isEqualTo(200);
    assertProblem(gw.presign(token, new JsonObject().put("filename", "c")), 429);
  }

  @Test
  void a_batch_larger_than_the_burst_can_never_fit_and_says_so() {
    JsonArray six = new JsonArray();
    for (int i = 0; i < 6; i++) {
      six.add(new JsonObject().put("filename", "f" + i));
    }
    HttpResponse<String> refused = gw.post("/api/s3/presign/batch", issuer.token("k1", "big"), "application/json",
        new JsonObject().put("files", six).encode());
    assertThat(assertProblem(refused, 400).getString("field")).isEqualTo("files");
    assertThat(new JsonObject(refused.body()).getString("detail")).contains("RATE_LIMIT_BURST");
  }

  @Test
  void a_batch_audits_each_file_under_the_request_id() {
    ListAppender<ILoggingEvent> audit = new ListAppender<>();
    audit.start();
    Logger logger = (Logger) LoggerFactory.getLogger("audit");
    logger.addAppender(audit);
    try {
      HttpResponse<String> ok = gw.post("/api/s3/presign/batch", issuer.token("k1", "audited"), "application/json",
          "{\"files\":[{\"filename\":\"a.txt\"},{\"filename\":\"b.txt\",\"prefix\":\"admin/\"}]}");
      assertThat(ok.statusCode()).isEqualTo(200);
      String requestId = ok.headers().firstValue("X-Request-Id").orElseThrow();
      assertThat(audit.list).hasSize(3);
      assertThat(audit.list).allSatisfy(e -> assertThat(field(e, "requestId")).isEqualTo(requestId));
      assertThat(audit.list).extracting(e -> field(e, "event")).containsExactlyInAnyOrder("presign-item",
          "presign-item", "presign");
      assertThat(audit.list).filteredOn(e -> "presign-item".equals(field(e, "event")))
          .extracting(e -> field(e, "outcome")).containsExactly("ok", "denied");
    } finally {
      logger.detachAppender(audit);
    }
  }

  @Test
  void wrong_methods_are_405_and_browsers_get_cors_on_every_endpoint() {
    for (String path : new String[] {"/api/s3/download", "/api/s3/presign/batch", "/api/s3/sign"}) {
      HttpResponse<String> get = TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl(path))).build());
      assertProblem(get, 405);
      assertThat(get.headers().firstValue("Allow")).hasValue("POST");
      HttpResponse<String> preflight = TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl(path)))
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", ORIGIN)
          .header("Access-Control-Request-Method", "POST")
          .header("Access-Control-Request-Headers", "authorization,content-type").build());
      assertThat(preflight.statusCode()).as(path).isEqualTo(204);
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("POST");
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValueSatisfying(
          h -> assertThat(h.toLowerCase()).contains("authorization", "content-type"));
    }
  }

  @Test
  void a_query_with_a_malformed_percent_escape_is_a_400_problem_not_a_500() throws java.io.IOException {
    String token = issuer.token("k1", "escapes");
    for (String target : new String[] {"/api/companion/s3/params?filename=a.txt&type=%ZZ",
        "/api/s3/objects?limit=%"}) {
      String answer = rawGet(target, token);
      assertThat(answer).as(target).startsWith("HTTP/1.1 400 ").contains("application/problem+json")
          .contains("\"field\":\"query\"").contains("percent-encoded");
    }
    // The Companion route's problem carries the message Uppy shows.
    assertThat(rawGet("/api/companion/s3/params?filename=%", token)).contains("\"message\":");
  }

  @Test
  void a_negative_declared_size_at_completion_is_refused_as_negative_not_as_missing() {
    String token = issuer.token("k1", "completer");
    io.vertx.core.json.JsonObject problem = assertProblem(gw.post("/api/s3/multipart/complete", token,
        "application/json", "{\"key\":\"users/completer/1/a.bin\",\"uploadId\":\"u-1\",\"size\":-1}"), 400);
    assertThat(problem.getString("field")).isEqualTo("size");
    assertThat(problem.getString("detail")).startsWith("size must not be negative");
  }

  @Test
  void a_listing_prefix_is_limited_in_utf8_bytes_as_its_message_says() throws java.io.IOException {
    String token = issuer.token("k1", "lister");
    // 613 characters, 1213 UTF-8 bytes: over S3's 1024-byte key limit.
    String answer = rawGet("/api/s3/objects?prefix=users/lister/" + "%C3%A9".repeat(600), token);
    assertThat(answer).startsWith("HTTP/1.1 400 ").contains("\"field\":\"prefix\"").contains("1024 bytes");
  }

  /** A GET sent as raw bytes: Java's HttpClient refuses to send a malformed escape at all. */
  private static String rawGet(String target, String token) throws java.io.IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gw.gateway.apiPort())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
          + token + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static Object field(ILoggingEvent event, String name) {
    for (KeyValuePair kv : event.getKeyValuePairs()) {
      if (kv.key.equals(name)) {
        return kv.value;
      }
    }
    return null;
  }

  private static double count(String operation, String outcome) {
    String scrape = TestGateway.send(HttpRequest.newBuilder(URI.create(gw.managementUrl("/metrics"))).build()).body();
    Matcher m = Pattern.compile("presign_requests_total\\{[^}]*operation=\"" + operation + "\",outcome=\"" + outcome
        + "\"[^}]*} ([0-9.eE+]+)").matcher(scrape);
    assertThat(m.find()).as("%s/%s in\n%s", operation, outcome, scrape).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
