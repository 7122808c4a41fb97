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
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import io.vertx.core.json.JsonArray;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The upload lifecycle through the gateway's own S3 calls, against S3Proxy: confirmation, and multipart uploads
 * whose size the gateway caps at completion.
 */
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

  static final int MIB = 1 << 20;

  static JsonObject create(String token, String name, long size) {
    return ok(call("/api/s3/multipart/create", token, new JsonObject().put("filename", name)
        .put("contentType", "application/octet-stream").put("size", size)));
  }

  static JsonObject upload(String key, String uploadId) {
    return new JsonObject().put("key", key).put("uploadId", uploadId);
  }

  /** PUTs each slice to its gateway-signed part URL (signed in one call); answers S3's ETags. */
  static void putParts(String token, JsonObject created, byte[] bytes, int partSize) {
    int count = (bytes.length + partSize - 1) / partSize;
    JsonArray numbers = new JsonArray();
    for (int i = 1; i <= count; i++) {
      numbers.add(i);
    }
    JsonArray signed = ok(call("/api/s3/multipart/sign", token, upload(created.getString("key"),
        created.getString("uploadId")).put("partNumbers", numbers))).getJsonArray("parts");
    assertThat(signed).hasSize(count);
    for (int i = 0; i < count; i++) {
      JsonObject part = signed.getJsonObject(i);
      assertThat(part.getInteger("partNumber")).isEqualTo(i + 1);
      assertThat(part.getString("method")).isEqualTo("PUT");
      assertThat(part.getJsonObject("headers")).isEmpty();
      byte[] slice = Arrays.copyOfRange(bytes, i * partSize, Math.min(bytes.length, (i + 1) * partSize));
      HttpResponse<String> put = TestGateway.send(HttpRequest.newBuilder(URI.create(part.getString("url")))
          .PUT(HttpRequest.BodyPublishers.ofByteArray(slice)).build());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }
  }

  static byte[] random(int n) {
    byte[] bytes = new byte[n];
    new Random(n).nextBytes(bytes);
    return bytes;
  }

  @Test
  void a_12_mib_file_in_three_parts_completes_through_the_gateway_is_confirmed_and_downloads_equal() {
    byte[] bytes = random(12 * MIB);
    JsonObject created = create(alice, "big.bin", bytes.length);
    assertThat(created.getString("key")).startsWith("users/alice/").endsWith("/big.bin");
    assertThat(created.getLong("partSize")).isEqualTo(5L * MIB);
    assertThat(created.getInteger("partCount")).isEqualTo(3);
    putParts(alice, created, bytes, 5 * MIB);
    String key = created.getString("key");

    JsonArray parts = ok(call("/api/s3/multipart/parts", alice, upload(key, created.getString("uploadId"))))
        .getJsonArray("parts");
    assertThat(parts).hasSize(3);
    assertThat(parts.getJsonObject(2).getLong("size")).isEqualTo(2L * MIB);

    JsonObject done = ok(call("/api/s3/multipart/complete", alice, upload(key, created.getString("uploadId"))
        .put("size", bytes.length)));
    assertThat(done.getLong("size")).isEqualTo(12L * MIB);
    assertThat(ok(call("/api/s3/uploads/confirm", alice, new JsonObject().put("key", key))).getLong("size"))
        .isEqualTo(12L * MIB);
    JsonObject get = ok(call("/api/s3/download", alice, new JsonObject().put("key", key)));
    HttpResponse<byte[]> download = sendBytes(HttpRequest.newBuilder(URI.create(get.getString("url"))).build());
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(bytes);
  }

  @Test
  void an_aborted_upload_leaves_nothing_behind() {
    byte[] bytes = random(5 * MIB);
    JsonObject created = create(alice, "gone.bin", bytes.length);
    putParts(alice, created, bytes, 5 * MIB);
    JsonObject upload = upload(created.getString("key"), created.getString("uploadId"));
    assertThat(ok(call("/api/s3/multipart/abort", alice, upload)).isEmpty()).isTrue();
    assertProblem(call("/api/s3/multipart/parts", alice, upload), 404);
    assertProblem(call("/api/s3/uploads/confirm", alice, new JsonObject().put("key", created.getString("key"))), 404);
  }

  @Test
  void a_completion_whose_parts_exceed_the_declared_size_is_refused_the_upload_aborted_and_nothing_stored() {
    byte[] bytes = random(10 * MIB);
    JsonObject created = create(alice, "liar.bin", 6 * MIB); // two parts of 5 MiB declared as 6 MiB
    putParts(alice, created, bytes, 5 * MIB);
    JsonObject upload = upload(created.getString("key"), created.getString("uploadId"));
    JsonObject problem = assertProblem(call("/api/s3/multipart/complete", alice, upload.copy().put("size", 6 * MIB)),
        403);
    assertThat(problem.getString("rule")).isEqualTo("max-size");
    assertThat(problem.getString("detail")).contains("10485760 bytes", "aborted");
    assertProblem(call("/api/s3/multipart/parts", alice, upload), 404);
    assertProblem(call("/api/s3/uploads/confirm", alice, new JsonObject().put("key", created.getString("key"))), 404);
  }

  @Test
  void a_completion_with_a_part_under_s3s_minimum_is_a_400_naming_the_parts_not_a_502() {
    byte[] bytes = random(2048);
    JsonObject created = create(alice, "small-parts.bin", bytes.length);
    putParts(alice, created, bytes, 1024); // two parts, the first under S3's 5 MiB minimum
    JsonObject upload = upload(created.getString("key"), created.getString("uploadId"));
    JsonObject problem = assertProblem(call("/api/s3/multipart/complete", alice, upload.copy()
        .put("size", bytes.length)), 400);
    assertThat(problem.getString("field")).isEqualTo("parts");
    assertThat(problem.getString("detail")).contains("5 MiB");
    assertThat(ok(call("/api/s3/multipart/parts", alice, upload)).getJsonArray("parts")).hasSize(2);
  }

  @Test
  void create_and_complete_refuse_a_declared_size_over_the_maximum() {
    assertThat(assertProblem(call("/api/s3/multipart/create", alice, new JsonObject().put("filename", "x.bin")
        .put("contentType", "application/octet-stream").put("size", 21L * MIB)), 403).getString("rule"))
        .isEqualTo("max-size");
    JsonObject created = create(alice, "x.bin", MIB);
    assertThat(assertProblem(call("/api/s3/multipart/complete", alice, upload(created.getString("key"),
        created.getString("uploadId")).put("size", 21L * MIB)), 403).getString("rule")).isEqualTo("max-size");
  }

  @Test
  void every_multipart_call_with_another_callers_key_or_a_forged_upload_id_is_refused_by_the_gateway() {
    JsonObject created = create(alice, "mine.bin", MIB);
    String key = created.getString("key");
    String uploadId = created.getString("uploadId");
    JsonObject sign = new JsonObject().put("partNumbers", new JsonArray().add(1));
    JsonObject bobs = create(bob, "b.bin", MIB);
    for (String path : new String[] {"/api/s3/multipart/sign", "/api/s3/multipart/parts",
        "/api/s3/multipart/complete", "/api/s3/multipart/abort"}) {
      JsonObject body = upload(key, uploadId).mergeIn(sign).put("size", MIB);
      assertThat(assertProblem(call(path, bob, body), 403).getString("rule")).as(path).isEqualTo("key-prefix");
      assertProblem(call(path, alice, body.copy().put("uploadId", "forged-upload-id")), 404);
      // An upload id is its key's: alice's id under bob's own key is no upload of bob's.
      assertProblem(call(path, bob, body.copy().put("key", bobs.getString("key"))), 404);
    }
    // Nothing above touched alice's upload: it is still there, with no part.
    assertThat(ok(call("/api/s3/multipart/parts", alice, upload(key, uploadId))).getJsonArray("parts")).isEmpty();
  }

  static HttpResponse<String> list(String token, String query) {
    return TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/api/s3/objects" + query)))
        .header("Authorization", "Bearer " + token).GET().build());
  }

  @Test
  void listing_shows_the_callers_own_objects_only_in_bounded_pages() {
    String carol = issuer.token("k1", "carol");
    String carol2 = issuer.token("k1", "carol2");
    java.util.Set<String> uploaded = new java.util.HashSet<>();
    for (int i = 0; i < 3; i++) {
      uploaded.add(upload(carol, "l" + i + ".txt", ("list " + i).getBytes(StandardCharsets.UTF_8)));
    }
    upload(carol2, "not-carols.txt", "other".getBytes(StandardCharsets.UTF_8)); // "users/carol2/" starts with "users/carol"

    JsonObject first = ok(list(carol, "?limit=2"));
    assertThat(first.getString("prefix")).isEqualTo("users/carol/");
    assertThat(first.getJsonArray("objects")).hasSize(2);
    assertThat(first.getString("cursor")).isNotNull();
    JsonObject second = ok(list(carol, "?limit=2&cursor="
        + java.net.URLEncoder.encode(first.getString("cursor"), StandardCharsets.UTF_8)));
    assertThat(second.getJsonArray("objects")).hasSize(1);
    assertThat(second.getString("cursor")).isNull();
    java.util.Set<String> listed = new java.util.HashSet<>();
    for (JsonArray page : List.of(first.getJsonArray("objects"), second.getJsonArray("objects"))) {
      for (int i = 0; i < page.size(); i++) {
        listed.add(page.getJsonObject(i).getString("key"));
        assertThat(page.getJsonObject(i).getLong("size")).isEqualTo(6);
      }
    }
    assertThat(listed).isEqualTo(uploaded);

    assertThat(assertProblem(list(carol2, "?prefix=users/carol/"), 403).getString("rule")).isEqualTo("key-prefix");
    assertThat(assertProblem(list(carol, "?prefix=users/carol"), 403).getString("rule")).isEqualTo("key-prefix");
    assertThat(assertProblem(list(carol, "?limit=0"), 400).getString("field")).isEqualTo("limit");
  }

  @Test
  void listing_answers_keys_that_xml_cannot_carry_and_refuses_a_prefix_with_control_characters() {
    String erin = issuer.token("k1", "erin");
    // The gateway makes no such key (KeyPolicy refuses U+FFFE/U+FFFF), but another tool may store one under the
    // caller's prefix: S3's listing XML cannot carry it unless URL-encoded.
    String odd = "users/erin/x\uffff/odd.txt";
    try (S3AsyncClient direct = S3AsyncClient.builder().endpointOverride(URI.create(s3.endpoint())).forcePathStyle(true)
        .region(Region.of(LocalS3.REGION)).credentialsProvider(TestGateway.S3PROXY_CREDENTIALS).build()) {
      direct.putObject(b -> b.bucket(LocalS3.BUCKET).key(odd), AsyncRequestBody.fromString("odd")).join();
    }
    String spaced = upload(erin, "a b+\u00fc.txt", "spaced".getBytes(StandardCharsets.UTF_8));

    JsonArray objects = ok(list(erin, "")).getJsonArray("objects");
    List<String> keys = new java.util.ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      keys.add(objects.getJsonObject(i).getString("key"));
    }
    assertThat(keys).containsExactlyInAnyOrder(odd, spaced);
    assertThat(ok(list(erin, "?prefix=users/erin/x%EF%BF%BF")).getJsonArray("objects")).hasSize(1);
    for (String control : new String[] {"%00", "%01", "%7F"}) {
      assertThat(assertProblem(list(erin, "?prefix=users/erin/" + control), 400).getString("field")).as(control)
          .isEqualTo("prefix");
    }
    // Asked to sign for it, the gateway refuses the key before S3 (a multipart call's answer would not parse).
    assertThat(assertProblem(call("/api/s3/presign", erin, new JsonObject().put("filename", "a.txt")
        .put("prefix", "users/erin/x\uffff")), 400).getString("field")).isEqualTo("prefix");
  }

  static HttpResponse<byte[]> sendBytes(HttpRequest request) {
    try {
      return TestGateway.HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
