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
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Uppy Companion's S3 protocol (what {@code @uppy/aws-s3} 5.x sends its {@code endpoint}) against the gateway and
 * S3Proxy, call by call as Uppy makes them: the same policy as the JSON API, Companion's answer shapes, and every
 * problem with the {@code message} Uppy shows.
 */
class CompanionS3IT {
  static final String BASE = "/api/companion/s3";
  static final String ORIGIN = "https://app.example";
  static final int MIB = 1 << 20;
  static S3ProxyProcess s3;
  static TestIssuer issuer;
  static TestGateway gw;
  static S3AsyncClient client;
  static String alice;
  static String bob;

  @BeforeAll
  static void start() {
    s3 = LocalS3.get();
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    Map<String, String> env = TestGateway.env(issuer, s3.endpoint());
    env.put("ALLOWED_CONTENT_TYPES", "text/plain,application/octet-stream");
    env.put("MAX_UPLOAD_BYTES", String.valueOf(20L * MIB));
    env.put("CORS_ALLOWED_ORIGINS", ORIGIN);
    gw = TestGateway.start(env);
    alice = issuer.token("k1", "alice");
    bob = issuer.token("k1", "bob");
    client = S3AsyncClient.builder().endpointOverride(URI.create(s3.endpoint())).forcePathStyle(true)
        .region(Region.of(LocalS3.REGION)).credentialsProvider(TestGateway.S3PROXY_CREDENTIALS).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    gw.close();
    issuer.close();
  }

  /** A request as Uppy's companion-client sends it: Accept JSON, the app's Authorization, JSON body when any. */
  static HttpResponse<String> uppy(String method, String path, String token, JsonObject body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.apiUrl(BASE + path)))
        .header("Accept", "application/json").header("Authorization", "Bearer " + token);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return TestGateway.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body.encode())).build());
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static <T> T ok(HttpResponse<String> response, Class<T> type) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    Object json = response.body().startsWith("[") ? new JsonArray(response.body()) : new JsonObject(response.body());
    return type.cast(json);
  }

  /** A problem answer whose {@code message} (what Uppy shows) is its detail. */
  static JsonObject problem(HttpResponse<String> response, int status) {
    JsonObject problem = assertProblem(response, status);
    assertThat(problem.getString("message")).isEqualTo(problem.getString("detail")).isNotBlank();
    return problem;
  }

  static byte[] random(int n) {
    byte[] bytes = new byte[n];
    new Random(n).nextBytes(bytes);
    return bytes;
  }

  static String put(String url, JsonObject headers, byte[] bytes) {
    HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (headers != null) {
      headers.forEach(h -> {
        if (!h.getKey().equalsIgnoreCase("content-length")) { // set by the client from the body, as a browser does
          put.header(h.getKey(), (String) h.getValue());
        }
      });
    }
    HttpResponse<String> answer = TestGateway.send(put.build());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return answer.headers().firstValue("ETag").orElseThrow();
  }

  static byte[] read(String key) {
    return client.getObject(b -> b.bucket(LocalS3.BUCKET).key(key), AsyncResponseTransformer.toBytes()).join()
        .asByteArray();
  }

  static boolean stored(String key) {
    return client.listObjectsV2(b -> b.bucket(LocalS3.BUCKET).prefix(key)).join().keyCount() > 0;
  }

  static JsonObject create(String token, String name) {
    return ok(uppy("POST", "/multipart", token, new JsonObject().put("filename", name)
        .put("type", "application/octet-stream").put("metadata", new JsonObject().put("name", name)
            .put("type", "application/octet-stream"))), JsonObject.class);
  }

  static String upload(JsonObject created) {
    return "/multipart/" + q(created.getString("uploadId"));
  }

  static String key(JsonObject created) {
    return "?key=" + q(created.getString("key"));
  }

  @Test
  void params_answer_a_put_that_s3_accepts_under_the_callers_prefix_and_says_method_put() {
    byte[] bytes = "Uppy 5 single PUT".getBytes(StandardCharsets.UTF_8);
    JsonObject params = ok(uppy("GET", "/params?filename=" + q("notes ü.txt") + "&type=text%2Fplain"
        + "&metadata%5Bname%5D=" + q("notes ü.txt") + "&metadata%5Bsize%5D=" + bytes.length, alice, null),
        JsonObject.class);
    assertThat(params.getString("method")).isEqualTo("PUT"); // absent, Uppy would send a POST form
    assertThat(params.containsKey("expires")).as("Uppy would make it the upload's timeout").isFalse();
    assertThat(params.getString("key")).startsWith("users/alice/").endsWith("/notes ü.txt");
    // Where Uppy 5 looks for the key of a single upload.
    assertThat(params.getJsonObject("fields")).isEqualTo(new JsonObject().put("key", params.getString("key")));
    assertThat(params.getJsonObject("headers").getString("Content-Type")).isEqualTo("text/plain");
    put(params.getString("url"), params.getJsonObject("headers"), bytes);
    assertThat(read(params.getString("key"))).isEqualTo(bytes);
  }

  @Test
  void params_refuse_a_declared_size_over_the_maximum_and_a_type_outside_the_allowlist_with_a_message() {
    assertThat(problem(uppy("GET", "/params?filename=a.txt&type=text%2Fplain&metadata%5Bsize%5D=" + (21 * MIB),
        alice, null), 403).getString("rule")).isEqualTo("max-size");
    assertThat(problem(uppy("GET", "/params?filename=a.html&type=text%2Fhtml", alice, null), 403)
        .getString("rule")).isEqualTo("content-type");
    assertThat(problem(uppy("GET", "/params?filename=a.txt&type=text%2Fplain&metadata%5Bsize%5D=lots", alice, null),
        400).getString("field")).isEqualTo("size");
  }

  @Test
  void a_12_mib_file_in_three_parts_signed_one_by_one_and_in_a_batch_completes_with_the_etags_uppy_names() {
    byte[] bytes = random(12 * MIB);
    JsonObject created = create(alice, "big.bin");
    String key = created.getString("key");
    assertThat(key).startsWith("users/alice/").endsWith("/big.bin");
    JsonArray parts = new JsonArray();
    // Part 1 as Uppy signs every part; parts 2 and 3 through Companion's batch call.
    JsonObject one = ok(uppy("GET", upload(created) + "/1" + key(created), alice, null), JsonObject.class);
    assertThat(one.getString("method")).isEqualTo("PUT");
    assertThat(one.getJsonObject("headers")).isEmpty(); // parts go up as Blob slices without a Content-Type
    assertThat(one.containsKey("expires")).isFalse();
    JsonObject batch = ok(uppy("GET", upload(created) + "/batch" + key(created) + "&partNumbers=2,3", alice, null),
        JsonObject.class).getJsonObject("presignedUrls");
    assertThat(batch.fieldNames()).containsExactlyInAnyOrder("2", "3");
    String[] urls = {one.getString("url"), batch.getString("2"), batch.getString("3")};
    for (int i = 0; i < 3; i++) {
      // 5 + 5 + 2 MiB: every part but the last at S3's 5 MiB minimum
      String etag = put(urls[i], null, Arrays.copyOfRange(bytes, i * 5 * MIB, Math.min(bytes.length, (i + 1) * 5 * MIB)));
      parts.add(new JsonObject().put("ETag", etag).put("PartNumber", i + 1));
    }

    JsonArray listed = ok(uppy("GET", upload(created) + key(created), alice, null), JsonArray.class);
    assertThat(listed).hasSize(3);
    assertThat(listed.getJsonObject(2).getInteger("PartNumber")).isEqualTo(3);
    assertThat(listed.getJsonObject(2).getLong("Size")).isEqualTo(2L * MIB);
    assertThat(listed.getJsonObject(0).getString("ETag")).isEqualTo(parts.getJsonObject(0).getString("ETag"));

    JsonObject done = ok(uppy("POST", upload(created) + "/complete" + key(created), alice,
        new JsonObject().put("parts", parts)), JsonObject.class);
    assertThat(done.getString("key")).isEqualTo(key);
    assertThat(done.getLong("size")).isEqualTo(12L * MIB);
    assertThat(done.getString("location")).as("where S3 says the object is; Uppy shows it").isNotBlank();
    assertThat(done.getString("etag")).matches("\"[0-9a-f]{32}-3\"");
    assertThat(read(key)).isEqualTo(bytes);
  }

  @Test
  void abort_answers_an_empty_object_and_leaves_no_upload_behind() {
    JsonObject created = create(alice, "gone.bin");
    assertThat(ok(uppy("DELETE", upload(created) + key(created), alice, null), JsonObject.class)).isEmpty();
    problem(uppy("GET", upload(created) + key(created), alice, null), 404);
  }

  @Test
  void every_call_with_another_callers_key_is_refused_before_s3_and_a_forged_upload_id_is_a_404() {
    JsonObject created = create(alice, "mine.bin");
    String bobs = upload(created) + key(created);
    for (String[] call : new String[][] {{"GET", bobs}, {"DELETE", bobs}, {"GET", upload(created) + "/1" + key(created)},
        {"GET", upload(created) + "/batch" + key(created) + "&partNumbers=1"}}) {
      assertThat(problem(uppy(call[0], call[1], bob, null), 403).getString("rule")).as(call[1]).isEqualTo("key-prefix");
    }
    assertThat(problem(uppy("POST", upload(created) + "/complete" + key(created), bob, new JsonObject()
        .put("parts", new JsonArray().add(new JsonObject().put("PartNumber", 1).put("ETag", "\"x\"")))), 403)
        .getString("rule")).isEqualTo("key-prefix");

    String forged = "/multipart/" + q("forged-upload-id") + "/1" + key(created);
    assertThat(problem(uppy("GET", forged, alice, null), 404).getString("detail")).contains("no multipart upload");
    assertThat(problem(uppy("GET", "/multipart/bad%20id/1" + key(created), alice, null), 400).getString("field"))
        .isEqualTo("uploadId");
    assertThat(problem(uppy("GET", upload(created) + "/10001" + key(created), alice, null), 400).getString("field"))
        .isEqualTo("partNumber");
    assertThat(problem(uppy("GET", upload(created), alice, null), 400).getString("field")).isEqualTo("key");
  }

  @Test
  void a_key_xml_cannot_carry_is_refused_before_s3_and_a_key_with_spaces_and_plus_finds_its_upload() {
    JsonObject created = create(alice, "a b+\u00fc.bin");
    assertThat(created.getString("key")).endsWith("/a b+\u00fc.bin");
    assertThat(ok(uppy("GET", upload(created) + key(created), alice, null), JsonArray.class)).isEmpty();
    String odd = "?key=" + q("users/alice/x\uffff");
    for (String[] call : new String[][] {{"GET", upload(created) + odd}, {"GET", upload(created) + "/1" + odd},
        {"DELETE", upload(created) + odd}}) {
      // A 400 naming the key, not an S3 outage: S3 answers with the key in XML, which cannot carry U+FFFF.
      assertThat(problem(uppy(call[0], call[1], alice, null), 400).getString("field")).as(call[1]).isEqualTo("key");
    }
    assertThat(ok(uppy("DELETE", upload(created) + key(created), alice, null), JsonObject.class)).isEmpty();
  }

  @Test
  void completion_refuses_an_etag_s3_does_not_hold_and_a_part_never_uploaded() {
    JsonObject created = create(alice, "check.bin");
    String etag = put(ok(uppy("GET", upload(created) + "/1" + key(created), alice, null), JsonObject.class)
        .getString("url"), null, random(5 * MIB));
    String complete = upload(created) + "/complete" + key(created);
    assertThat(problem(uppy("POST", complete, alice, new JsonObject().put("parts", new JsonArray()
        .add(new JsonObject().put("PartNumber", 1).put("ETag", "\"0123456789abcdef0123456789abcdef\"")))), 400)
        .getString("detail")).contains("ETag");
    assertThat(problem(uppy("POST", complete, alice, new JsonObject().put("parts", new JsonArray()
        .add(new JsonObject().put("PartNumber", 1).put("ETag", etag))
        .add(new JsonObject().put("PartNumber", 2).put("ETag", etag)))), 400).getString("detail"))
        .contains("S3 does not hold");
    assertThat(stored(created.getString("key"))).isFalse();
    // The upload is still there: the right parts complete it.
    ok(uppy("POST", complete, alice, new JsonObject().put("parts", new JsonArray()
        .add(new JsonObject().put("PartNumber", 1).put("ETag", etag)))), JsonObject.class);
    assertThat(stored(created.getString("key"))).isTrue();
  }

  @Test
  void completion_with_a_part_under_s3s_minimum_is_a_400_naming_the_parts_and_the_upload_stays() {
    JsonObject created = create(alice, "tiny-parts.bin");
    JsonObject urls = ok(uppy("GET", upload(created) + "/batch" + key(created) + "&partNumbers=1,2", alice, null),
        JsonObject.class).getJsonObject("presignedUrls");
    JsonArray parts = new JsonArray();
    for (int i = 1; i <= 2; i++) { // part 1 is not the last, and far under 5 MiB: S3 answers EntityTooSmall
      parts.add(new JsonObject().put("PartNumber", i).put("ETag", put(urls.getString(String.valueOf(i)), null,
          random(1024))));
    }
    JsonObject refused = problem(uppy("POST", upload(created) + "/complete" + key(created), alice,
        new JsonObject().put("parts", parts)), 400);
    assertThat(refused.getString("field")).isEqualTo("parts");
    assertThat(refused.getString("detail")).contains("5 MiB");
    assertThat(ok(uppy("GET", upload(created) + key(created), alice, null), JsonArray.class)).hasSize(2);
    assertThat(stored(created.getString("key"))).isFalse();
  }

  @Test
  void completion_over_the_maximum_is_refused_the_upload_aborted_and_nothing_stored() {
    JsonObject created = create(alice, "huge.bin");
    JsonObject urls = ok(uppy("GET", upload(created) + "/batch" + key(created) + "&partNumbers=1,2,3", alice, null),
        JsonObject.class).getJsonObject("presignedUrls");
    JsonArray parts = new JsonArray();
    for (int i = 1; i <= 3; i++) {
      parts.add(new JsonObject().put("PartNumber", i).put("ETag", put(urls.getString(String.valueOf(i)), null,
          random(i == 3 ? 5 * MIB : 8 * MIB))));
    }
    JsonObject refused = problem(uppy("POST", upload(created) + "/complete" + key(created), alice,
        new JsonObject().put("parts", parts)), 403);
    assertThat(refused.getString("rule")).isEqualTo("max-size");
    assertThat(refused.getString("detail")).contains("MAX_UPLOAD_BYTES").contains("aborted");
    problem(uppy("GET", upload(created) + key(created), alice, null), 404);
    assertThat(stored(created.getString("key"))).isFalse();
  }

  @Test
  void a_path_takes_only_its_methods_and_a_preflight_allows_them_with_uppys_headers() {
    JsonObject created = create(alice, "methods.bin");
    HttpResponse<String> wrong = uppy("PUT", upload(created) + key(created), alice, new JsonObject());
    problem(wrong, 405);
    assertThat(wrong.headers().firstValue("Allow")).hasValue("GET, DELETE");

    HttpResponse<String> preflight = TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl(BASE
            + upload(created) + key(created)))).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", ORIGIN).header("Access-Control-Request-Method", "DELETE")
        .header("Access-Control-Request-Headers", "authorization").build());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue(ORIGIN);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, DELETE");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
        .contains("authorization").contains("content-type");
    assertThat(preflight.headers().firstValue("Access-Control-Max-Age")).isPresent();

    assertProblem(uppy("GET", "/multipart/x/y/z", alice, null), 404);
    assertThat(problem(uppy("GET", "/params?filename=a.txt&type=text%2Fplain", "not-a-jwt", null), 401)
        .getString("detail")).isNotBlank();
  }
}
