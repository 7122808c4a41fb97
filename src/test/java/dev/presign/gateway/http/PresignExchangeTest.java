package dev.presign.gateway.http;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.presign.gateway.logging.JsonLayout;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * What every presign exchange gets besides its answer, on the real server: request id and no-store, one count and
 * one audit event per decision, bounded bodies however they are sent, and CORS for browsers.
 */
class PresignExchangeTest {
  private static final String ORIGIN = "https://app.example.com";
  private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  static TestIssuer issuer;
  static TestGateway gw;
  static String token;
  private final ListAppender<ILoggingEvent> audit = new ListAppender<>();

  @BeforeAll
  static void start() {
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    Map<String, String> env = TestGateway.env(issuer, null);
    env.put("CORS_ALLOWED_ORIGINS", ORIGIN);
    env.put("HTTP_BODY_LIMIT_BYTES", "1024");
    gw = TestGateway.start(env);
    token = issuer.token("k1", "alice");
  }

  @AfterAll
  static void stop() {
    gw.close();
    issuer.close();
  }

  @BeforeEach
  void captureAudit() {
    audit.start();
    ((Logger) LoggerFactory.getLogger("audit")).addAppender(audit);
  }

  @AfterEach
  void releaseAudit() {
    ((Logger) LoggerFactory.getLogger("audit")).detachAppender(audit);
  }

  @Test
  void answers_carry_a_request_id_and_no_store_whatever_their_status() {
    HttpResponse<String> ok = gw.presign(token, new JsonObject().put("filename", "a.txt"));
    HttpResponse<String> unauthenticated = gw.presign("not-a-token", new JsonObject().put("filename", "a.txt"));
    HttpResponse<String> wrongType = gw.post("/api/s3/presign", token, "text/plain", "a.txt");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertProblem(unauthenticated, 401);
    assertProblem(wrongType, 415);
    for (HttpResponse<String> r : List.of(ok, unauthenticated, wrongType)) {
      assertThat(r.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(UUID));
      assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    }
    assertThat(new JsonObject(wrongType.body()).getString("requestId"))
        .isEqualTo(wrongType.headers().firstValue("X-Request-Id").orElseThrow());
  }

  @Test
  void a_safe_caller_request_id_is_echoed_and_an_unsafe_one_replaced() {
    HttpResponse<String> echoed = send(presignRequest(Map.of("X-Request-Id", "trace-42.a:b_c"), "{}"));
    assertProblem(echoed, 400);
    assertThat(echoed.headers().firstValue("X-Request-Id")).hasValue("trace-42.a:b_c");
    assertThat(new JsonObject(echoed.body()).getString("requestId")).isEqualTo("trace-42.a:b_c");

    HttpResponse<String> replaced = send(presignRequest(Map.of("X-Request-Id", "<script>" + "x".repeat(200)),
        new JsonObject().put("filename", "a.txt").encode()));
    assertThat(replaced.statusCode()).isEqualTo(200);
    assertThat(replaced.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(UUID));
  }

  @Test
  void each_decision_is_counted_once_under_its_outcome() {
    Map<String, Double> before = outcomes();
    assertThat(gw.presign(token, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(200);
    assertThat(gw.presign(token, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(200);
    assertProblem(gw.presign(null, new JsonObject().put("filename", "a.txt")), 401);
    assertProblem(gw.presign(token, new JsonObject().put("filename", "../etc/passwd").put("prefix", "admin/")), 403);
    assertProblem(gw.post("/api/s3/presign", token, "application/json", "{\"filename\":"), 400);
    assertProblem(gw.post("/api/s3/presign", token, "application/json", "x".repeat(2000)), 413);
    Map<String, Double> after = outcomes();
    assertThat(after.get("ok") - before.get("ok")).isEqualTo(2.0);
    assertThat(after.get("unauthenticated") - before.get("unauthenticated")).isEqualTo(1.0);
    assertThat(after.get("denied") - before.get("denied")).isEqualTo(1.0);
    assertThat(after.get("bad_request") - before.get("bad_request")).isEqualTo(2.0);
    assertThat(after.get("rate_limited") - before.get("rate_limited")).isZero();
    assertThat(scrape()).contains("route=\"/api/s3/presign\"").doesNotContain("/api/s3/presign>");
  }

  @Test
  void the_audit_event_names_caller_key_and_outcome_but_never_the_token_or_the_url() {
    HttpResponse<String> ok = gw.presign(token, new JsonObject().put("filename", "report.txt")
        .put("contentType", "text/plain").put("size", 12));
    assertThat(ok.statusCode()).isEqualTo(200);
    JsonObject answer = new JsonObject(ok.body());
    assertProblem(gw.presign(token, new JsonObject().put("filename", "a.txt").put("prefix", "admin/")), 403);

    assertThat(audit.list).hasSize(2);
    Map<String, Object> granted = fields(audit.list.get(0));
    assertThat(granted).containsEntry("event", "presign").containsEntry("outcome", "ok").containsEntry("status", 200)
        .containsEntry("subject", "alice").containsEntry("key", answer.getString("key"))
        .containsEntry("size", 12L).containsEntry("contentType", "text/plain")
        .containsEntry("requestId", ok.headers().firstValue("X-Request-Id").orElseThrow());
    Map<String, Object> denied = fields(audit.list.get(1));
    assertThat(denied).containsEntry("outcome", "denied").containsEntry("status", 403)
        .containsEntry("subject", "alice").containsKeys("rule", "reason").doesNotContainKey("key");
    for (ILoggingEvent event : audit.list) {
      assertThat(event.getFormattedMessage() + fields(event)).doesNotContain(token)
          .doesNotContain("X-Amz-Signature").doesNotContain(answer.getString("uploadUrl"));
    }
  }

  @Test
  void text_audit_lines_cannot_be_forged_by_a_content_type_or_a_subject() {
    String forged = "\n2026-12-01T00:00:00.000Z INFO audit - presign ok subject=bob key=users/bob/x";
    assertProblem(gw.presign(token, new JsonObject().put("filename", "a.png")
        .put("contentType", "image/png" + forged)), 400);
    String hostileSubject = issuer.token("k1", TestIssuer.claims("mallory\u001b[1A\u001b[2K" + forged));
    assertProblem(gw.presign(hostileSubject, new JsonObject().put("filename", "a.png")), 403);

    assertThat(audit.list).hasSize(2);
    assertThat(fields(audit.list.get(0))).containsEntry("contentType", "image/png" + forged);
    assertThat(fields(audit.list.get(1))).containsEntry("subject", "mallory\u001b[1A\u001b[2K" + forged);
    for (ILoggingEvent event : audit.list) {
      String text = JsonLayout.asText(event);
      assertThat(text.indexOf('\n')).as(text).isEqualTo(text.length() - 1);
      assertThat(text.chars().filter(c -> c < 0x20 && c != '\n' || c >= 0x7f && c <= 0x9f)).as(text).isEmpty();
    }
    assertThat(JsonLayout.asText(audit.list.get(0))).contains(" contentType=\"image/png\\n2026-12-01T00:00:00.000Z"
        + " INFO audit - presign ok subject=bob key=users/bob/x\"");
    assertThat(JsonLayout.asText(audit.list.get(1))).contains(" subject=\"mallory\\u001b[1A\\u001b[2K\\n2026-12-01");
  }

  @Test
  void a_chunked_body_over_the_limit_is_413_and_the_connection_is_closed() throws IOException {
    String chunk = "x".repeat(700);
    String head = "POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer "
        + token + "\r\nTransfer-Encoding: chunked\r\n\r\n";
    String chunks = Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n";
    String response = exchange(head + chunks + chunks + "0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 413").contains("application/problem+json").contains("\"status\":413")
        .containsIgnoringCase("connection: close");
  }

  @Test
  void a_chunked_body_within_the_limit_is_read_whole() throws IOException {
    String body = new JsonObject().put("filename", "chunked.txt").put("note", "y".repeat(300)).encode();
    String first = body.substring(0, 100);
    String rest = body.substring(100);
    String response = exchange("POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + token + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + Integer.toHexString(first.length()) + "\r\n" + first + "\r\n"
        + Integer.toHexString(rest.length()) + "\r\n" + rest + "\r\n0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200").contains("/chunked.txt\"");
  }

  @Test
  void a_body_sent_a_byte_per_chunk_is_read_whole_and_still_bounded() throws IOException {
    String body = new JsonObject().put("filename", "tiny-chunks.txt").put("note", "z".repeat(200)).encode();
    StringBuilder chunks = new StringBuilder();
    for (char c : body.toCharArray()) {
      chunks.append("1\r\n").append(c).append("\r\n");
    }
    String head = "POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + token + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    assertThat(exchange(head + chunks + "0\r\n\r\n")).startsWith("HTTP/1.1 200").contains("/tiny-chunks.txt\"");

    StringBuilder tooMany = new StringBuilder();
    for (int i = 0; i < 1100; i++) {
      tooMany.append("1\r\nx\r\n");
    }
    assertThat(exchange(head + tooMany + "0\r\n\r\n")).startsWith("HTTP/1.1 413");
  }

  @Test
  void pipelined_requests_on_one_connection_are_answered_in_order() throws IOException {
    // Answers are flushed after the event loop's turn (ApiVerticle.batchFlushes): several in one read must all
    // leave, in order.
    String presign = "POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + token + "\r\nContent-Length: %d\r\n\r\n%s";
    String first = new JsonObject().put("filename", "first.txt").encode();
    String second = new JsonObject().put("filename", "second.txt").encode();
    String response = exchange(presign.formatted(first.length(), first)
        + "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
        + presign.formatted(second.length(), second)
        + "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(Pattern.compile("HTTP/1.1 200 ").matcher(response).results().count()).isEqualTo(4);
    int one = response.indexOf("/first.txt\"");
    int two = response.indexOf("/second.txt\"");
    assertThat(one).isPositive();
    assertThat(two).isGreaterThan(one);
    assertThat(response.indexOf("HTTP/1.1 200 ", one)).isLessThan(two);
  }

  @Test
  void unusual_request_targets_get_a_problem_answer() throws IOException {
    assertThat(exchange("OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .matches("(?s)HTTP/1.1 4\\d\\d .*application/problem\\+json.*");
    assertThat(exchange("GET http://x/api/s3/presign HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 405").containsIgnoringCase("allow: POST").contains("application/problem+json");
  }

  @Test
  void expect_100_continue_is_honoured_and_other_expectations_are_417() throws IOException {
    String body = new JsonObject().put("filename", "a.txt").encode();
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.apiPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer "
          + token + "\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] interim = new byte[25];
      assertThat(in.readNBytes(interim, 0, interim.length)).isEqualTo(25);
      assertThat(new String(interim, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
      out.write(body.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200");
    }
    String refused = exchange("POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + token + "\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}");
    assertThat(refused).startsWith("HTTP/1.1 417").contains("application/problem+json").contains("\"status\":417");
  }

  @Test
  void a_browser_presign_gets_cors_headers_and_the_same_answer_and_bookkeeping() {
    HttpResponse<String> preflight = send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/api/s3/presign")))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", ORIGIN).header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,content-type").build());
    assertThat(preflight.statusCode()).isBetween(200, 204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValueSatisfying(
        m -> assertThat(m).contains("POST"));

    Map<String, Double> before = outcomes();
    HttpResponse<String> ok = send(presignRequest(Map.of("Origin", ORIGIN),
        new JsonObject().put("filename", "from-browser.txt").encode()));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
    assertThat(ok.headers().firstValue("Access-Control-Expose-Headers")).hasValueSatisfying(
        h -> assertThat(h).containsIgnoringCase("X-Request-Id"));
    assertThat(ok.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(UUID));
    assertThat(ok.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(new JsonObject(ok.body()).getString("key")).endsWith("/from-browser.txt");
    assertThat(audit.list).hasSize(1);
    assertThat(outcomes().get("ok") - before.get("ok")).isEqualTo(1.0);

    HttpResponse<String> foreign = send(presignRequest(Map.of("Origin", "https://evil.example"),
        new JsonObject().put("filename", "a.txt").encode()));
    assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void a_presign_refused_by_cors_is_a_counted_and_audited_403() {
    Map<String, Double> before = outcomes();
    HttpResponse<String> foreign = send(presignRequest(Map.of("Origin", "https://evil.example"),
        new JsonObject().put("filename", "a.txt").encode()));
    assertThat(assertProblem(foreign, 403).getString("rule")).isEqualTo("cors-origin");
    assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    HttpResponse<String> preflight = send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/api/s3/presign")))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "https://evil.example").header("Access-Control-Request-Method", "POST").build());
    assertThat(assertProblem(preflight, 403).getString("rule")).isEqualTo("cors-origin");

    assertThat(outcomes().get("denied") - before.get("denied")).isEqualTo(2.0);
    assertThat(audit.list).hasSize(2);
    for (ILoggingEvent event : audit.list) {
      assertThat(fields(event)).containsEntry("outcome", "denied").containsEntry("rule", "cors-origin")
          .containsEntry("operation", "put").containsEntry("status", 403);
    }
  }

  private static HttpRequest presignRequest(Map<String, String> headers, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.apiUrl("/api/s3/presign")))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return b.build();
  }

  private static HttpResponse<String> send(HttpRequest request) {
    return TestGateway.send(request);
  }

  /** Writes {@code raw} on a new connection and reads until the server closes it (or 5 s pass). */
  private static String exchange(String raw) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.apiPort())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String scrape() {
    return TestGateway.send(HttpRequest.newBuilder(URI.create(gw.managementUrl("/metrics"))).build()).body();
  }

  private static Map<String, Double> outcomes() {
    Map<String, Double> counts = new HashMap<>();
    Matcher m = Pattern.compile(
        "presign_requests_total\\{[^}]*operation=\"put\",outcome=\"([a-z_]+)\"[^}]*} ([0-9.eE+]+)")
        .matcher(scrape());
    while (m.find()) {
      counts.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    assertThat(counts).containsKeys("ok", "bad_request", "unauthenticated", "denied", "rate_limited", "error");
    return counts;
  }

  private static Map<String, Object> fields(ILoggingEvent event) {
    Map<String, Object> fields = new HashMap<>();
    for (KeyValuePair kv : event.getKeyValuePairs()) {
      fields.put(kv.key, kv.value);
    }
    return fields;
  }
}
