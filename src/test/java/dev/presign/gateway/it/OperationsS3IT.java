package dev.presign.gateway.it;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.dev.S3ProxyProcess;
import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Downloads, batches and Uppy 6's signRequest, through the gateway and then plain HTTP to S3Proxy (a real S3 server
 * that checks SigV4): what the gateway signs works, what it refuses never reaches S3.
 */
class OperationsS3IT {
  private static final Pattern UPLOAD_ID = Pattern.compile("<UploadId>([^<]+)</UploadId>");
  static S3ProxyProcess s3;
  static TestIssuer issuer;
  static TestGateway gw;
  static String alice;
  static String alice2;
  static String bob;

  @BeforeAll
  static void start() {
    s3 = LocalS3.get();
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    Map<String, String> env = TestGateway.env(issuer, s3.endpoint());
    env.put("ALLOWED_CONTENT_TYPES", "text/plain,application/octet-stream");
    gw = TestGateway.start(env);
    alice = issuer.token("k1", "alice");
    alice2 = issuer.token("k1", "alice2");
    bob = issuer.token("k1", "bob");
  }

  @AfterAll
  static void stop() {
    gw.close();
    issuer.close();
  }

  private static HttpResponse<String> call(String path, String token, JsonObject body) {
    return gw.post(path, token, "application/json", body.encode());
  }

  private static JsonObject ok(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static HttpResponse<byte[]> s3(String method, String url, Map<String, String> headers, byte[] body) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Length")) {
        req.header(name, value);
      }
    });
    try {
      return TestGateway.HTTP.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<byte[]> s3(String method, JsonObject signed, byte[] body) {
    String url = signed.containsKey("uploadUrl") ? signed.getString("uploadUrl") : signed.getString("url");
    assertThat(signed.getString("method")).isEqualTo(method);
    return s3(method, url, headers(signed), body);
  }

  private static Map<String, String> headers(JsonObject signed) {
    Map<String, String> headers = new java.util.HashMap<>();
    signed.getJsonObject("headers").forEach(e -> headers.put(e.getKey(), (String) e.getValue()));
    return headers;
  }

  private static String upload(String token, String name, byte[] bytes) {
    JsonObject signed = ok(call("/api/s3/presign", token, new JsonObject().put("filename", name)
        .put("contentType", "text/plain").put("size", bytes.length)));
    assertThat(s3("PUT", signed, bytes).statusCode()).isEqualTo(200);
    return signed.getString("key");
  }

  @Test
  void an_upload_downloads_through_its_presigned_get_with_the_same_bytes() {
    byte[] bytes = "download me".getBytes(StandardCharsets.UTF_8);
    String key = upload(alice, "d.txt", bytes);
    JsonObject signed = ok(call("/api/s3/download", alice, new JsonObject().put("key", key)));
    assertThat(signed.getString("key")).isEqualTo(key);
    HttpResponse<byte[]> get = s3("GET", signed, null);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo(bytes);
  }

  @Test
  void a_signed_download_name_arrives_as_content_disposition() {
    String key = upload(alice, "n.txt", "named".getBytes(StandardCharsets.UTF_8));
    JsonObject signed = ok(call("/api/s3/download", alice, new JsonObject().put("key", key)
        .put("filename", "Q3 report é.txt")));
    HttpResponse<byte[]> get = s3("GET", signed, null);
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValue("Content-Disposition")).hasValue(
        "attachment; filename=\"Q3 report _.txt\"; filename*=UTF-8''Q3%20report%20%C3%A9.txt");
  }

  @Test
  void another_callers_key_and_a_prefix_boundary_are_403_from_the_gateway() {
    String key = upload(alice, "mine.txt", "mine".getBytes(StandardCharsets.UTF_8));
    assertThat(assertProblem(call("/api/s3/download", bob, new JsonObject().put("key", key)), 403)
        .getString("rule")).isEqualTo("key-prefix");
    assertThat(assertProblem(call("/api/s3/download", alice2, new JsonObject().put("key", key)), 403)
        .getString("rule")).isEqualTo("key-prefix");
    String key2 = upload(alice2, "theirs.txt", "theirs".getBytes(StandardCharsets.UTF_8));
    assertThat(assertProblem(call("/api/s3/download", alice, new JsonObject().put("key", key2)), 403)
        .getString("rule")).isEqualTo("key-prefix");
  }

  @Test
  void a_missing_key_is_s3s_404_when_the_url_is_used() {
    JsonObject signed = ok(call("/api/s3/download", alice, new JsonObject().put("key", "users/alice/none/x.txt")));
    assertThat(s3("GET", signed, null).statusCode()).isEqualTo(404);
  }

  @Test
  void a_batch_with_one_denied_file_signs_the_others_and_they_upload() {
    JsonObject answer = ok(call("/api/s3/presign/batch", alice, new JsonObject().put("files", new JsonArray()
        .add(new JsonObject().put("filename", "one.txt").put("contentType", "text/plain").put("size", 3))
        .add(new JsonObject().put("filename", "evil.html").put("contentType", "text/html"))
        .add(new JsonObject().put("filename", "three.bin").put("size", 5)))));
    JsonArray uploads = answer.getJsonArray("uploads");
    assertThat(uploads).hasSize(3);
    assertThat(s3("PUT", uploads.getJsonObject(0), "abc".getBytes(StandardCharsets.UTF_8)).statusCode())
        .isEqualTo(200);
    JsonObject denied = uploads.getJsonObject(1);
    assertThat(denied.getInteger("status")).isEqualTo(403);
    assertThat(denied.getString("rule")).isEqualTo("content-type");
    assertThat(denied.getString("detail")).contains("text/html");
    assertThat(s3("PUT", uploads.getJsonObject(2), new byte[5]).statusCode()).isEqualTo(200);
  }

  @Test
  void a_multipart_upload_signed_through_sign_alone_stores_the_parts_bytes() {
    JsonObject create = ok(call("/api/s3/sign", alice, new JsonObject().put("method", "POST")
        .put("key", "7b1c-big.bin").put("contentType", "application/octet-stream")));
    String key = create.getString("key");
    assertThat(key).matches("users/alice/[0-9a-f-]{36}/7b1c-big\\.bin");
    HttpResponse<byte[]> created = s3("POST", create, null);
    assertThat(created.statusCode()).as(new String(created.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    String uploadId = uploadId(created);

    byte[] first = new byte[5 * 1024 * 1024];
    new Random(11).nextBytes(first);
    byte[] second = "the last part".getBytes(StandardCharsets.UTF_8);
    String etag1 = part(key, uploadId, 1, first);
    String etag2 = part(key, uploadId, 2, second);

    JsonObject list = ok(call("/api/s3/sign", alice, new JsonObject().put("method", "GET").put("key", key)
        .put("uploadId", uploadId)));
    String parts = new String(s3("GET", list, null).body(), StandardCharsets.UTF_8);
    assertThat(parts).contains("<PartNumber>1</PartNumber>", "<PartNumber>2</PartNumber>");

    JsonObject complete = ok(call("/api/s3/sign", alice, new JsonObject().put("method", "POST").put("key", key)
        .put("uploadId", uploadId)));
    String xml = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + etag1 + "</ETag></Part>"
        + "<Part><PartNumber>2</PartNumber><ETag>" + etag2 + "</ETag></Part></CompleteMultipartUpload>";
    HttpResponse<byte[]> completed = s3("POST", complete, xml.getBytes(StandardCharsets.UTF_8));
    assertThat(completed.statusCode()).as(new String(completed.body(), StandardCharsets.UTF_8)).isEqualTo(200);

    JsonObject download = ok(call("/api/s3/download", alice, new JsonObject().put("key", key)));
    byte[] stored = s3("GET", download, null).body();
    byte[] expected = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, expected, first.length, second.length);
    assertThat(stored).isEqualTo(expected);
  }

  @Test
  void an_aborted_multipart_upload_is_gone() {
    JsonObject create = ok(call("/api/s3/sign", alice, new JsonObject().put("method", "POST").put("key", "x.bin")));
    String key = create.getString("key");
    String uploadId = uploadId(s3("POST", create, null));
    part(key, uploadId, 1, "part".getBytes(StandardCharsets.UTF_8));
    JsonObject abort = ok(call("/api/s3/sign", alice, new JsonObject().put("method", "DELETE").put("key", key)
        .put("uploadId", uploadId)));
    assertThat(s3("DELETE", abort, null).statusCode()).isEqualTo(204);
    JsonObject list = ok(call("/api/s3/sign", alice, new JsonObject().put("method", "GET").put("key", key)
        .put("uploadId", uploadId)));
    HttpResponse<byte[]> listed = s3("GET", list, null);
    // S3 answers 404 NoSuchUpload; S3Proxy's in-memory store answers an empty listing. Either way: no parts.
    assertThat(listed.statusCode()).isIn(200, 404);
    assertThat(new String(listed.body(), StandardCharsets.UTF_8)).doesNotContain("<PartNumber>");
  }

  @Test
  void every_sign_request_on_another_callers_upload_is_403_from_the_gateway() {
    JsonObject create = ok(call("/api/s3/sign", alice, new JsonObject().put("method", "POST").put("key", "y.bin")));
    String key = create.getString("key");
    String uploadId = uploadId(s3("POST", create, null));
    for (String token : new String[] {bob, alice2}) {
      for (JsonObject request : new JsonObject[] {
          new JsonObject().put("method", "PUT").put("uploadId", uploadId).put("partNumber", 1),
          new JsonObject().put("method", "POST").put("uploadId", uploadId),
          new JsonObject().put("method", "GET").put("uploadId", uploadId),
          new JsonObject().put("method", "DELETE").put("uploadId", uploadId)}) {
        HttpResponse<String> refused = call("/api/s3/sign", token, request.put("key", key));
        assertThat(assertProblem(refused, 403).getString("rule")).as(request.encode()).isEqualTo("key-prefix");
      }
    }
  }

  private static String part(String key, String uploadId, int number, byte[] bytes) {
    JsonObject signed = ok(call("/api/s3/sign", alice, new JsonObject().put("method", "PUT").put("key", key)
        .put("uploadId", uploadId).put("partNumber", number)));
    HttpResponse<byte[]> put = s3("PUT", signed, bytes);
    assertThat(put.statusCode()).as(new String(put.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    return put.headers().firstValue("ETag").orElseThrow();
  }

  private static String uploadId(HttpResponse<byte[]> created) {
    Matcher m = UPLOAD_ID.matcher(new String(created.body(), StandardCharsets.UTF_8));
    assertThat(m.find()).as(new String(created.body(), StandardCharsets.UTF_8)).isTrue();
    return m.group(1);
  }
}
