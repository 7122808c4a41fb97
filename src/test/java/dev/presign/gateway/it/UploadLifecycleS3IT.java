package dev.presign.gateway.it;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.dev.S3ProxyProcess;
import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The upload lifecycle through the gateway's own S3 calls, against S3Proxy: confirmation. */
class UploadLifecycleS3IT {
  static S3ProxyProcess s3;
  static TestIssuer issuer;
  static TestGateway gw;
  static String alice;
  static String bob;

  @BeforeAll
  static void start() {
    s3 = LocalS3.get();
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    Map<String, String> env = TestGateway.env(issuer, s3.endpoint());
    env.put("ALLOWED_CONTENT_TYPES", "text/plain,application/octet-stream");
    env.put("MAX_UPLOAD_BYTES", String.valueOf(20L << 20));
    gw = TestGateway.start(env);
    alice = issuer.token("k1", "alice");
    bob = issuer.token("k1", "bob");
  }

  @AfterAll
  static void stop() {
    gw.close();
    issuer.close();
  }

  static HttpResponse<String> call(String path, String token, JsonObject body) {
    return gw.post(path, token, "application/json", body.encode());
  }

  static JsonObject ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  static String upload(String token, String name, byte[] bytes) {
    JsonObject signed = ok(call("/api/s3/presign", token, new JsonObject().put("filename", name)
        .put("contentType", "text/plain").put("size", bytes.length)));
    HttpRequest put = HttpRequest.newBuilder(URI.create(signed.getString("uploadUrl")))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).header("Content-Type", "text/plain").build();
    assertThat(TestGateway.send(put).statusCode()).isEqualTo(200);
    return signed.getString("key");
  }

  @Test
  void confirm_answers_what_s3_stored_for_an_uploaded_key() {
    String key = upload(alice, "c.txt", "confirmed".getBytes(StandardCharsets.UTF_8));
    JsonObject head = ok(call("/api/s3/uploads/confirm", alice, new JsonObject().put("key", key)));
    assertThat(head.getString("key")).isEqualTo(key);
    assertThat(head.getLong("size")).isEqualTo(9);
    assertThat(head.getString("etag")).matches("\"[0-9a-f]{32}\"");
    assertThat(head.getString("contentType")).isEqualTo("text/plain");
    assertThat(head.getString("lastModified")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  @Test
  void confirm_of_a_key_with_no_object_is_a_404_problem() {
    JsonObject problem = assertProblem(call("/api/s3/uploads/confirm", alice,
        new JsonObject().put("key", "users/alice/none/x.txt")), 404);
    assertThat(problem.getString("detail")).contains("no object with this key");
  }

  @Test
  void confirm_of_another_callers_key_is_403_and_never_asks_s3() {
    String key = upload(alice, "mine.txt", "mine".getBytes(StandardCharsets.UTF_8));
    assertThat(assertProblem(call("/api/s3/uploads/confirm", bob, new JsonObject().put("key", key)), 403)
        .getString("rule")).isEqualTo("key-prefix");
  }
}
