package dev.presign.gateway.http.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.support.OperationFixture;
import dev.presign.gateway.support.OperationFixture.FakeCall;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Uppy 6's signRequest contract without HTTP: each of the seven S3 requests, and what is refused. */
class SignRequestTest {
  static OperationFixture fixture;
  static SignRequest sign;
  static SignRequest signWithDelete;

  @BeforeAll
  static void build() {
    fixture = new OperationFixture(Map.of("ALLOWED_CONTENT_TYPES", "image/png,text/plain"));
    sign = new SignRequest(fixture.policy, fixture.signer, false);
    signWithDelete = new SignRequest(fixture.policy, fixture.signer, true);
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  private static JsonObject answer(SignRequest op, String subject, JsonObject request) {
    return new JsonObject((String) op.answer(new FakeCall(subject, request.encode())));
  }

  private static PolicyException refusal(SignRequest op, JsonObject request) {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> op.answer(new FakeCall("alice",
        request.encode())));
    assertThat(t).as(request.encode()).isInstanceOf(PolicyException.class);
    return (PolicyException) t;
  }

  @Test
  void put_object_gets_a_key_made_by_the_gateway_and_its_content_type_signed() {
    JsonObject a = answer(sign, "alice", new JsonObject().put("method", "PUT")
        .put("key", "8f2c-photo.png").put("contentType", "image/png"));
    assertThat(a.getString("key")).matches("users/alice/[0-9a-f-]{36}/8f2c-photo\\.png");
    assertThat(a.getString("method")).isEqualTo("PUT");
    assertThat(a.getString("url")).contains("/" + a.getString("key") + "?").doesNotContain("uploadId");
    assertThat(a.getJsonObject("headers").getString("Content-Type")).isEqualTo("image/png");
  }

  @Test
  void create_multipart_upload_is_a_post_on_uploads_under_a_new_key() {
    JsonObject a = answer(sign, "alice", new JsonObject().put("method", "POST").put("key", "x/../big.png")
        .put("contentType", "image/png"));
    assertThat(a.getString("key")).matches("users/alice/[0-9a-f-]{36}/big\\.png");
    assertThat(a.getString("method")).isEqualTo("POST");
    assertThat(a.getString("url")).contains("?uploads&X-Amz-").contains("X-Amz-SignedHeaders=content-type%3Bhost");
  }

  @Test
  void requests_on_an_existing_upload_name_its_key_and_id() {
    String key = "users/alice/0b7e/big.png";
    JsonObject part = answer(sign, "alice", new JsonObject().put("method", "PUT").put("key", key)
        .put("uploadId", "up.1-_~").put("partNumber", 7));
    assertThat(part.containsKey("key")).isFalse();
    assertThat(part.getString("url")).contains("/" + key + "?partNumber=7&uploadId=up.1-_~&");
    assertThat(part.getJsonObject("headers")).isEqualTo(new JsonObject());
    assertThat(answer(sign, "alice", new JsonObject().put("method", "POST").put("key", key).put("uploadId", "u"))
        .getString("method")).isEqualTo("POST");
    assertThat(answer(sign, "alice", new JsonObject().put("method", "GET").put("key", key).put("uploadId", "u"))
        .getString("method")).isEqualTo("GET");
    assertThat(answer(sign, "alice", new JsonObject().put("method", "DELETE").put("key", key).put("uploadId", "u"))
        .getString("method")).isEqualTo("DELETE");
  }

  @Test
  void another_callers_key_or_a_prefix_boundary_is_403_key_prefix() {
    for (String key : new String[] {"users/bob/1/a.png", "users/alice2/1/a.png", "users/alice/../bob/a.png"}) {
      for (String method : new String[] {"PUT", "POST", "GET", "DELETE"}) {
        JsonObject request = new JsonObject().put("method", method).put("key", key).put("uploadId", "u")
            .put("partNumber", 1);
        PolicyException e = refusal(sign, request);
        assertThat(e.isDenial() ? e.rule() : e.field()).as(request.encode()).isIn("key-prefix", "key");
      }
    }
  }

  @Test
  void upload_id_part_number_method_and_expiry_are_checked() {
    String key = "users/alice/1/a.png";
    assertThat(refusal(sign, new JsonObject().put("method", "PUT").put("key", key).put("uploadId", "a&b=c")
        .put("partNumber", 1)).field()).isEqualTo("uploadId");
    for (long part : new long[] {0, 10_001, -1}) {
      assertThat(refusal(sign, new JsonObject().put("method", "PUT").put("key", key).put("uploadId", "u")
          .put("partNumber", part)).field()).isEqualTo("partNumber");
    }
    assertThat(refusal(sign, new JsonObject().put("method", "PUT").put("key", key).put("uploadId", "u")).field())
        .isEqualTo("partNumber");
    assertThat(refusal(sign, new JsonObject().put("method", "PATCH").put("key", key)).field()).isEqualTo("method");
    assertThat(refusal(sign, new JsonObject().put("key", key)).field()).isEqualTo("method");
    assertThat(refusal(sign, new JsonObject().put("method", "GET").put("key", key)).field()).isEqualTo("uploadId");
    assertThat(refusal(sign, new JsonObject().put("method", "PUT").put("key", "a.png").put("expiresIn", 0)).field())
        .isEqualTo("expiresIn");
    assertThat(refusal(sign, new JsonObject().put("method", "PUT").put("key", "a.exe")
        .put("contentType", "application/x-msdownload")).rule()).isEqualTo("content-type");
  }

  @Test
  void expires_in_shortens_a_url_but_never_lengthens_it() {
    JsonObject shorter = answer(sign, "alice", new JsonObject().put("method", "PUT").put("key", "a.png")
        .put("expiresIn", 60));
    assertThat(shorter.getString("url")).contains("X-Amz-Expires=60&");
    JsonObject longer = answer(sign, "alice", new JsonObject().put("method", "PUT").put("key", "a.png")
        .put("expiresIn", 86_400));
    assertThat(longer.getString("url")).contains("X-Amz-Expires=300&");
    assertThat(Duration.between(Instant.now(), Instant.parse(longer.getString("expiresAt"))))
        .isLessThanOrEqualTo(Duration.ofSeconds(301));
  }

  @Test
  void delete_object_is_refused_unless_enabled_and_then_own_keys_only() {
    JsonObject delete = new JsonObject().put("method", "DELETE").put("key", "users/alice/1/a.png");
    assertThat(refusal(sign, delete).rule()).isEqualTo("delete");
    assertThat(answer(signWithDelete, "alice", delete).getString("method")).isEqualTo("DELETE");
    assertThat(refusal(signWithDelete, delete.copy().put("key", "users/bob/1/a.png")).rule())
        .isEqualTo("key-prefix");
  }
}
