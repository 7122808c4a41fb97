package dev.presign.gateway.http;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real router on port 0, tokens minted in the test by a real JWKS issuer. */
class PresignApiTest {
  static TestIssuer issuer;
  static TestGateway gw;
  static String alice;

  @BeforeAll
  static void start() {
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    Map<String, String> env = TestGateway.env(issuer, null);
    env.put("ALLOWED_CONTENT_TYPES", "image/*,text/plain");
    env.put("MAX_UPLOAD_BYTES", "1000");
    gw = TestGateway.start(env);
    alice = issuer.token("k1", "alice");
  }

  @AfterAll
  static void stop() {
    gw.close();
    issuer.close();
  }

  @Test
  void filename_alone_returns_key_url_method_headers_and_expiry() {
    HttpResponse<String> r = gw.presign(alice, new JsonObject().put("filename", "hello.txt"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("key")).matches("users/alice/[0-9a-f-]{36}/hello\\.txt");
    assertThat(body.getString("uploadUrl"))
        .startsWith("http://127.0.0.1:9/test-bucket/" + body.getString("key") + "?")
        .contains("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-SignedHeaders=host&", "X-Amz-Expires=300");
    assertThat(body.getString("method")).isEqualTo("PUT");
    assertThat(body.getJsonObject("headers")).isEqualTo(new JsonObject());
    Instant expires = Instant.parse(body.getString("expiresAt"));
    assertThat(Duration.between(Instant.now(), expires)).isBetween(Duration.ofSeconds(290), Duration.ofSeconds(301));
  }

  @Test
  void content_type_and_size_are_signed_and_listed_as_headers_to_send() {
    HttpResponse<String> r = gw.presign(alice,
        new JsonObject().put("filename", "cat.png").put("contentType", "image/png").put("size", 512));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getJsonObject("headers").getMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("Content-Type", "image/png", "Content-Length", "512"));
    assertThat(body.getString("uploadUrl")).contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost");
  }

  @Test
  void extra_prefix_from_the_token_claim_can_be_chosen() {
    String token = issuer.token("k1", TestIssuer.claims("bob").put("prefixes", new JsonArray().add("teams/blue/")));
    HttpResponse<String> r = gw.presign(token, new JsonObject().put("filename", "a.txt").put("prefix", "teams/blue/x"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getString("key")).matches("teams/blue/x/[0-9a-f-]{36}/a\\.txt");
  }

  @Test
  void missing_token_is_401_with_bearer_challenge() {
    HttpResponse<String> r = gw.presign(null, new JsonObject().put("filename", "a.txt"));
    assertProblem(r, 401);
    assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer "));
  }

  @Test
  void expired_wrong_issuer_wrong_audience_and_forged_tokens_are_401() {
    long now = Instant.now().getEpochSecond();
    String expired = issuer.token("k1", TestIssuer.claims("alice").put("exp", now - 120));
    String wrongIss = issuer.token("k1", TestIssuer.claims("alice").put("iss", "https://evil.test"));
    String wrongAud = issuer.token("k1", TestIssuer.claims("alice").put("aud", "someone-else"));
    String noExp = issuer.token("k1", TestIssuer.claims("alice").put("exp", (Object) null));
    String[] parts = alice.split("\\.");
    String tampered = parts[0] + "." + dev.presign.gateway.support.Jwts.segment(TestIssuer.claims("mallory"))
        + "." + parts[2];
    String unsigned = parts[0].replace(parts[0], dev.presign.gateway.support.Jwts.segment(
        new JsonObject().put("alg", "none"))) + "." + parts[1] + ".";
    Map<String, String> expected = Map.of(expired, "expired", wrongIss, "issuer", wrongAud, "audience",
        noExp, "exp", tampered, "signature", unsigned, "signed JWT");
    expected.forEach((token, detail) -> {
      JsonObject problem = assertProblem(gw.presign(token, new JsonObject().put("filename", "a.txt")), 401);
      assertThat(problem.getString("detail")).contains(detail);
    });
  }

  @Test
  void bad_fields_are_400_naming_the_field() {
    Map<JsonObject, String> cases = Map.of(
        new JsonObject(), "filename",
        new JsonObject().put("filename", 42), "filename",
        new JsonObject().put("filename", "a.txt").put("size", "ten"), "size",
        new JsonObject().put("filename", "a.txt").put("size", 1.5), "size",
        new JsonObject().put("filename", "a.txt").put("size", -1), "size",
        new JsonObject().put("filename", "a.txt").put("contentType", "not a type"), "contentType",
        new JsonObject().put("filename", "../.."), "filename",
        new JsonObject().put("filename", "a.txt").put("checksumSha256", "abc"), "checksumSha256");
    cases.forEach((body, field) ->
        assertThat(assertProblem(gw.presign(alice, body), 400).getString("field")).as(body.encode()).isEqualTo(field));
  }

  @Test
  void unknown_members_are_skipped_and_null_means_absent() {
    HttpResponse<String> r = gw.post("/api/s3/presign", alice, "application/json",
        "{\"meta\":{\"a\":[1,{\"b\":null}]},\"filename\":\"a.txt\",\"contentType\":null,\"size\":null,\"x\":1.5}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getJsonObject("headers")).isEmpty();
  }

  @Test
  void a_size_too_big_for_a_long_or_written_as_a_decimal_is_400_naming_size() {
    for (String size : new String[] {"123456789012345678901234567890", "1e3", "10.0", "true", "[1]"}) {
      JsonObject problem = assertProblem(gw.post("/api/s3/presign", alice, "application/json",
          "{\"filename\":\"a.txt\",\"size\":" + size + "}"), 400);
      assertThat(problem.getString("field")).as(size).isEqualTo("size");
    }
  }

  @Test
  void a_member_given_twice_or_data_after_the_object_is_400() {
    // One body must not read as two requests: a proxy or log reader may keep the first member, the gateway the last.
    for (String body : new String[] {"{\"filename\":\"a.txt\",\"filename\":\"b.txt\"}",
        "{\"filename\":\"a.txt\",\"prefix\":null,\"prefix\":\"users/bob/\"}", "{\"filename\":\"a.txt\"} {}",
        "{\"filename\":\"a.txt\"} x", "{\"filename\":\"a.txt\",}"}) {
      JsonObject problem = assertProblem(gw.post("/api/s3/presign", alice, "application/json", body), 400);
      assertThat(problem.getString("field")).as(body).isEqualTo("body");
      assertThat(problem.getString("detail")).as(body).isEqualTo("the request body is not valid JSON");
    }
  }

  @Test
  void malformed_or_non_object_json_is_400() {
    for (String body : new String[] {"{", "[1,2]", "\"x\"", ""}) {
      JsonObject problem = assertProblem(gw.post("/api/s3/presign", alice, "application/json", body), 400);
      assertThat(problem.getString("field")).isEqualTo("body");
    }
  }

  @Test
  void policy_denials_are_403_naming_the_rule() {
    Map<JsonObject, String> cases = Map.of(
        new JsonObject().put("filename", "a.txt").put("prefix", "users/bob/"), "key-prefix",
        new JsonObject().put("filename", "a.txt").put("prefix", "users/alice2/"), "key-prefix",
        new JsonObject().put("filename", "a.exe").put("contentType", "application/x-msdownload"), "content-type",
        new JsonObject().put("filename", "a.txt").put("size", 1001), "max-size");
    cases.forEach((body, rule) ->
        assertThat(assertProblem(gw.presign(alice, body), 403).getString("rule")).as(body.encode()).isEqualTo(rule));
  }

  @Test
  void subject_that_cannot_name_a_prefix_is_403() {
    String token = issuer.token("k1", "../bob");
    assertThat(assertProblem(gw.presign(token, new JsonObject().put("filename", "a.txt")), 403).getString("rule"))
        .isEqualTo("subject");
  }

  @Test
  void body_over_the_limit_is_413() {
    String big = new JsonObject().put("filename", "a".repeat(20_000)).encode();
    assertProblem(gw.post("/api/s3/presign", alice, "application/json", big), 413);
  }

  @Test
  void non_json_body_is_415() {
    assertProblem(gw.post("/api/s3/presign", alice, "text/plain", "filename=a.txt"), 415);
    assertProblem(gw.post("/api/s3/presign", alice, null, "{}"), 415);
  }

  @Test
  void unknown_path_is_404_and_wrong_method_is_405() {
    assertProblem(TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/nope"))).build()), 404);
    assertProblem(TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/api/s3/presign"))).build()), 405);
  }

  @Test
  void dev_endpoints_do_not_exist_outside_dev_mode() {
    assertProblem(TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/dev/jwks.json"))).build()), 404);
    assertProblem(gw.post("/dev/token", null, "application/json", "{\"sub\":\"alice\"}"), 404);
    assertProblem(TestGateway.send(HttpRequest.newBuilder(URI.create(gw.managementUrl("/dev/jwks.json"))).build()), 404);
    assertProblem(TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/"))).build()), 404); // demo page
  }

  @Test
  void health_endpoints_answer_on_the_management_port() {
    for (String path : new String[] {"/health/live", "/health/ready"}) {
      HttpResponse<String> r = TestGateway.send(HttpRequest.newBuilder(URI.create(gw.managementUrl(path))).build());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(r.body()).getString("status")).isEqualTo("UP");
    }
    HttpResponse<String> live = TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/health/live"))).build());
    assertThat(live.statusCode()).as("liveness is also served on the API port").isEqualTo(200);
    assertProblem(TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/health/ready"))).build()), 404);
    assertProblem(TestGateway.send(HttpRequest.newBuilder(URI.create(gw.apiUrl("/metrics"))).build()), 404);
  }
}
