package dev.presign.gateway.http.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.support.OperationFixture;
import dev.presign.gateway.support.OperationFixture.FakeCall;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The single presign operation without HTTP: key, signed headers, and what it hands the audit event. */
class PresignPutTest {
  static OperationFixture fixture;
  static PresignPut put;

  @BeforeAll
  static void build() {
    fixture = new OperationFixture(Map.of("ALLOWED_CONTENT_TYPES", "text/plain"));
    put = new PresignPut(fixture.policy, fixture.signer, fixture.metrics);
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  @Test
  void a_granted_presign_answers_key_url_and_headers_and_audits_the_key() {
    FakeCall call = new FakeCall("alice", "{\"filename\":\"r.txt\",\"contentType\":\"text/plain\",\"size\":3}");
    JsonObject answer = new JsonObject((String) put.answer(call));
    assertThat(answer.getString("key")).matches("users/alice/[0-9a-f-]{36}/r\\.txt");
    assertThat(answer.getString("uploadUrl")).contains("/" + answer.getString("key") + "?")
        .contains("X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost");
    assertThat(answer.getJsonObject("headers").getMap()).containsEntry("Content-Type", "text/plain")
        .containsEntry("Content-Length", "3");
    assertThat(call.key).isEqualTo(answer.getString("key"));
    assertThat(call.size).isEqualTo(3L);
    assertThat(call.contentType).isEqualTo("text/plain");
  }

  @Test
  void a_refused_presign_still_audits_what_was_asked_for() {
    FakeCall call = new FakeCall("alice", "{\"filename\":\"r.exe\",\"contentType\":\"application/x-evil\"}");
    assertThatThrownBy(() -> put.answer(call)).isInstanceOf(PolicyException.class);
    assertThat(call.key).isNull();
    assertThat(call.contentType).isEqualTo("application/x-evil");
  }
}
