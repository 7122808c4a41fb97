package dev.presign.gateway.http;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rate limits, request timeouts and header limits on the real server. */
class LimitsTest {
  static TestIssuer issuer;
  static TestGateway gw;

  @BeforeAll
  static void start() {
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    Map<String, String> env = TestGateway.env(issuer, null);
    env.put("RATE_LIMIT_PER_SECOND", "0.5");
    env.put("RATE_LIMIT_BURST", "3");
    env.put("REQUEST_TIMEOUT_MS", "600");
    gw = TestGateway.start(env);
  }

  @AfterAll
  static void stop() {
    gw.close();
    issuer.close();
  }

  @Test
  void a_subject_over_its_rate_gets_429_with_retry_after_and_others_are_unaffected() {
    String carol = issuer.token("k1", "carol");
    for (int i = 0; i < 3; i++) {
      assertThat(gw.presign(carol, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> limited = gw.presign(carol, new JsonObject().put("filename", "a.txt"));
    assertProblem(limited, 429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(v ->
        assertThat(Integer.parseInt(v)).isBetween(1, 2));
    assertThat(gw.presign(issuer.token("k1", "dave"), new JsonObject().put("filename", "a.txt")).statusCode())
        .isEqualTo(200);
  }

  @Test
  void a_body_sent_too_slowly_is_cut_off_with_408() throws Exception {
    String token = issuer.token("k1", "erin");
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.apiPort())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer "
          + token + "\r\nContent-Length: 40\r\n\r\n{\"filename\":").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] buf = new byte[4096];
      int n = 0;
      try {
        for (int r; (r = socket.getInputStream().read(buf, n, buf.length - n)) > 0; ) {
          n += r;
        }
      } catch (java.net.SocketTimeoutException e) {
        // fall through with what arrived
      }
      String response = new String(buf, 0, n, StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 408").contains("application/problem+json").contains("\"status\":408");
    }
  }

  @Test
  void a_client_still_sending_a_body_too_large_reads_the_whole_413() throws Exception {
    String token = issuer.token("k1", "frank");
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.apiPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer "
          + token + "\r\nContent-Length: 8000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      // The client goes on sending its body as clients do, while the answer is already on its way.
      Thread sender = new Thread(() -> {
        byte[] chunk = new byte[64 * 1024];
        try {
          for (int i = 0; i < 120; i++) {
            out.write(chunk);
          }
        } catch (java.io.IOException closed) {
          // the server closed after lingering: expected
        }
      });
      sender.start();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      sender.join(10_000);
      assertThat(response).startsWith("HTTP/1.1 413").contains("application/problem+json")
          .contains("\"status\":413").endsWith("}");
    }
  }

  @Test
  void headers_over_the_limit_get_431_as_problem_json() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.gateway.apiPort())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(("POST /api/s3/presign HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + "a".repeat(9_000) + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 431").contains("application/problem+json").contains("\"status\":431");
    }
  }
}
