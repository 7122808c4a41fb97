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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** Presigned URLs proven against S3Proxy, a real S3 server that checks SigV4: 200s and the 403s of the seed. */
class PresignS3IT {
  static S3ProxyProcess s3;
  static TestIssuer issuer;
  static TestGateway gw;
  static String token;

  @BeforeAll
  static void start() {
    s3 = LocalS3.get();
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    gw = TestGateway.start(TestGateway.env(issuer, s3.endpoint()));
    token = issuer.token("k1", "alice");
  }

  @AfterAll
  static void stop() {
    gw.close();
    issuer.close();
  }

  static JsonObject presign(TestGateway gateway, JsonObject request) {
    HttpResponse<String> r = gateway.presign(token, request);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  /** PUTs {@code body} with the given headers; Content-Length always comes from the body itself. */
  static HttpResponse<String> put(String url, Map<String, String> headers, byte[] body) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Length")) {
        req.header(name, value);
      }
    });
    return TestGateway.send(req.build());
  }

  static Map<String, String> headersOf(JsonObject answer) {
    Map<String, String> headers = new java.util.HashMap<>();
    answer.getJsonObject("headers").forEach(e -> headers.put(e.getKey(), (String) e.getValue()));
    return headers;
  }

  static byte[] read(String key) {
    try (S3AsyncClient client = S3AsyncClient.builder().endpointOverride(URI.create(s3.endpoint()))
        .forcePathStyle(true).region(Region.of(LocalS3.REGION))
        .credentialsProvider(TestGateway.S3PROXY_CREDENTIALS).build()) {
      return client.getObject(b -> b.bucket(LocalS3.BUCKET).key(key), AsyncResponseTransformer.toBytes())
          .join().asByteArray();
    }
  }

  @Test
  void put_with_exactly_the_returned_headers_gets_200_and_the_object_reads_back() {
    byte[] body = "hello, S3".getBytes(StandardCharsets.UTF_8);
    JsonObject answer = presign(gw, new JsonObject().put("filename", "hello world ü.txt")
        .put("contentType", "text/plain").put("size", body.length));
    HttpResponse<String> put = put(answer.getString("uploadUrl"), headersOf(answer), body);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(put.headers().firstValue("ETag")).isPresent();
    assertThat(read(answer.getString("key"))).isEqualTo(body);
  }

  @Test
  void filename_alone_gives_a_url_that_accepts_a_plain_put() {
    JsonObject answer = presign(gw, new JsonObject().put("filename", "plain.bin"));
    assertThat(put(answer.getString("uploadUrl"), Map.of(), new byte[] {1, 2, 3}).statusCode()).isEqualTo(200);
    assertThat(read(answer.getString("key"))).containsExactly(1, 2, 3);
  }

  @Test
  void signed_checksum_header_is_accepted_when_sent_as_returned() throws Exception {
    byte[] body = "checked".getBytes(StandardCharsets.UTF_8);
    String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
    JsonObject answer = presign(gw, new JsonObject().put("filename", "c.txt").put("checksumSha256", sha));
    assertThat(answer.getJsonObject("headers").getString("x-amz-checksum-sha256")).isEqualTo(sha);
    HttpResponse<String> put = put(answer.getString("uploadUrl"), headersOf(answer), body);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
  }

  @Test
  void a_changed_content_type_gets_403_from_s3() {
    JsonObject answer = presign(gw, new JsonObject().put("filename", "a.txt").put("contentType", "text/plain"));
    HttpResponse<String> put = put(answer.getString("uploadUrl"), Map.of("Content-Type", "image/png"), new byte[1]);
    assertThat(put.statusCode()).isEqualTo(403);
    assertThat(put.body()).contains("SignatureDoesNotMatch");
  }

  @Test
  void a_missing_signed_header_gets_403_from_s3() {
    JsonObject answer = presign(gw, new JsonObject().put("filename", "a.txt").put("contentType", "text/plain"));
    HttpResponse<String> put = put(answer.getString("uploadUrl"), Map.of(), new byte[1]);
    assertThat(put.statusCode()).isEqualTo(403);
  }

  @Test
  void a_different_size_gets_403_from_s3() {
    JsonObject answer = presign(gw, new JsonObject().put("filename", "a.bin").put("size", 10));
    HttpResponse<String> put = put(answer.getString("uploadUrl"), headersOf(answer), new byte[11]);
    assertThat(put.statusCode()).isEqualTo(403);
  }

  @Test
  void a_url_with_one_signature_character_changed_gets_403_from_s3() {
    JsonObject answer = presign(gw, new JsonObject().put("filename", "a.bin"));
    String url = answer.getString("uploadUrl");
    char last = url.charAt(url.length() - 1);
    String forged = url.substring(0, url.length() - 1) + (last == '0' ? '1' : '0');
    assertThat(put(forged, Map.of(), new byte[1]).statusCode()).isEqualTo(403);
  }

  @Test
  void an_expired_url_gets_403_from_s3() throws InterruptedException {
    Map<String, String> env = TestGateway.env(issuer, s3.endpoint());
    env.put("PRESIGN_TTL_SECONDS", "1");
    try (TestGateway shortLived = TestGateway.start(env)) {
      JsonObject answer = presign(shortLived, new JsonObject().put("filename", "late.bin"));
      assertThat(answer.getString("uploadUrl")).contains("X-Amz-Expires=1&");
      Thread.sleep(2_500);
      HttpResponse<String> put = put(answer.getString("uploadUrl"), Map.of(), new byte[1]);
      assertThat(put.statusCode()).isEqualTo(403);
      assertThat(put.body()).contains("expired");
    }
  }

  @Test
  void the_sdk_reference_signer_makes_urls_s3_accepts_too() {
    Map<String, String> env = TestGateway.env(issuer, s3.endpoint());
    env.put("S3_SIGNER", "sdk");
    try (TestGateway reference = TestGateway.start(env)) {
      byte[] body = "from the sdk signer".getBytes(StandardCharsets.UTF_8);
      JsonObject answer = presign(reference, new JsonObject().put("filename", "sdk.txt")
          .put("contentType", "text/plain").put("size", body.length));
      assertThat(put(answer.getString("uploadUrl"), headersOf(answer), body).statusCode()).isEqualTo(200);
      assertThat(read(answer.getString("key"))).isEqualTo(body);
    }
  }

  @Test
  void with_server_side_encryption_configured_the_url_signs_it_and_a_put_sending_it_gets_200_with_both_signers() {
    for (String signer : new String[] {"fast", "sdk"}) {
      Map<String, String> env = TestGateway.env(issuer, s3.endpoint());
      env.put("S3_SIGNER", signer);
      env.put("S3_SSE", "AES256");
      try (TestGateway encrypting = TestGateway.start(env)) {
        byte[] body = ("encrypted by " + signer).getBytes(StandardCharsets.UTF_8);
        JsonObject answer = presign(encrypting, new JsonObject().put("filename", "sse.txt")
            .put("contentType", "text/plain").put("size", body.length));
        assertThat(answer.getJsonObject("headers").getString("x-amz-server-side-encryption")).as(signer)
            .isEqualTo("AES256");
        assertThat(answer.getString("uploadUrl")).as(signer).contains("x-amz-server-side-encryption");
        HttpResponse<String> put = put(answer.getString("uploadUrl"), headersOf(answer), body);
        assertThat(put.statusCode()).as(signer + ": " + put.body()).isEqualTo(200);
        assertThat(read(answer.getString("key"))).isEqualTo(body);

        // The seed's row: a bucket that requires SSE sees a PUT without the header; the signature refuses it.
        Map<String, String> withoutSse = headersOf(answer);
        withoutSse.remove("x-amz-server-side-encryption");
        assertThat(put(answer.getString("uploadUrl"), withoutSse, body).statusCode()).as(signer).isEqualTo(403);
      }
    }
  }

  @Test
  void a_key_under_another_users_prefix_is_refused_by_the_gateway() {
    HttpResponse<String> r = gw.presign(token, new JsonObject().put("filename", "x.txt").put("prefix", "users/bob/"));
    assertThat(assertProblem(r, 403).getString("rule")).isEqualTo("key-prefix");
  }
}
