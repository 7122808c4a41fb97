package dev.presign.gateway.http;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the API port reads HTTP/1 messages (RFC 9112 §6): one framing per message, nothing a proxy in front could
 * read differently, answers as problem+json and the connection closed where the framing is in doubt; HTTP/2 in
 * cleartext is not spoken.
 */
class HttpFramingTest {
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] \\d{3} ");
  static TestIssuer issuer;
  static TestGateway gw;
  static String token;

  @BeforeAll
  static void start() {
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    gw = TestGateway.start(TestGateway.env(issuer, null));
    token = issuer.token("k1", "alice");
  }

  @AfterAll
  static void stop() {
    gw.close();
    issuer.close();
  }

  @Test
  void content_length_with_transfer_encoding_is_400_and_the_bytes_after_it_never_run_as_a_request()
      throws IOException {
    String smuggled = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";
    String response = exchange("POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + token + "\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\n\r\n" + smuggled);
    assertBadFramingAnswer(response);
  }

  @Test
  void content_length_with_transfer_encoding_is_refused_in_http_1_0_too() throws IOException {
    assertBadFramingAnswer(exchange("POST /api/s3/presign HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
  }

  @Test
  void transfer_codings_other_than_chunked_alone_are_400() throws IOException {
    for (String codings : new String[] {"chunked, identity", "identity, chunked", "gzip, chunked", "identity",
        "chunked\r\nTransfer-Encoding: chunked", "chunked;x=1"}) {
      String response = exchange("POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: " + codings + "\r\n\r\n0\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(response).as(codings).startsWith("HTTP/1.1 400");
      assertBadFramingAnswer(response);
    }
  }

  @Test
  void transfer_encoding_in_http_1_0_is_400() throws IOException {
    assertBadFramingAnswer(exchange("POST /api/s3/presign HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
  }

  @Test
  void plain_chunked_bodies_still_work() throws IOException {
    String body = new JsonObject().put("filename", "chunked.txt").encode();
    String response = exchange("POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + token + "\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n"
        + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 200").contains("/chunked.txt\"");
  }

  @Test
  void an_h2c_upgrade_is_answered_in_http_1_1() {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response;
    try {
      response = h2.send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/health/live")))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void the_http2_prior_knowledge_preface_gets_505_as_problem_json_and_a_closed_connection() throws IOException {
    String response = exchange("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    assertThat(response).matches("(?s)HTTP/1\\.[01] 505 .*").contains("application/problem+json")
        .contains("\"status\":505").containsIgnoringCase("connection: close");
  }

  @Test
  void an_unknown_http_version_gets_505_as_problem_json() throws IOException {
    String response = exchange("GET /health/live HTTP/1.2\r\nHost: x\r\n\r\n");
    assertThat(response).matches("(?s)HTTP/1\\.[01] 505 .*").contains("application/problem+json")
        .contains("\"status\":505").contains("HTTP/1.1");
  }

  @Test
  void a_target_without_a_leading_slash_gets_404_with_a_request_id() throws IOException {
    String response = exchange("GET abc HTTP/1.1\r\nHost: x\r\nX-Request-Id: trace-7\r\nConnection: close\r\n\r\n");
    assertThat(response).startsWith("HTTP/1.1 404").contains("application/problem+json")
        .containsIgnoringCase("x-request-id: trace-7").contains("\"requestId\":\"trace-7\"");
  }

  @Test
  void two_authorization_headers_are_400() throws IOException {
    String other = issuer.token("k1", "bob");
    String body = new JsonObject().put("filename", "a.txt").encode();
    String response = exchange("POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Authorization: Bearer " + token + "\r\nAuthorization: Bearer " + other + "\r\nConnection: close\r\n"
        + "Content-Length: " + body.length() + "\r\n\r\n" + body);
    assertThat(response).startsWith("HTTP/1.1 400").contains("application/problem+json")
        .contains("\"field\":\"Authorization\"");
  }

  @Test
  void one_authorization_header_still_works() {
    assertThat(gw.presign(token, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(200);
    assertProblem(gw.presign(null, new JsonObject().put("filename", "a.txt")), 401);
  }

  /** One 400 problem, the connection closed after it, nothing that followed the message answered. */
  private static void assertBadFramingAnswer(String response) {
    assertThat(response).matches("(?s)HTTP/1\\.[01] 400 .*").contains("application/problem+json")
        .contains("\"status\":400").containsIgnoringCase("connection: close");
    assertThat(STATUS_LINE.matcher(response).results().count()).as(response).isEqualTo(1);
  }

  /** Writes {@code raw} on a new connection and reads until the server closes it; fails if it is left open. */
  private static String exchange(String raw) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.apiPort())) {
      socket.setSoTimeout(3_000);
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      try {
        for (int n; (n = socket.getInputStream().read(buf)) > 0; ) {
          read.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the connection was left open after:\n" + read.toString(StandardCharsets.UTF_8));
      }
      return read.toString(StandardCharsets.UTF_8);
    }
  }
}
