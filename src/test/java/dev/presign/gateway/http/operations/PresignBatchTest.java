package dev.presign.gateway.http.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.support.OperationFixture;
import dev.presign.gateway.support.OperationFixture.FakeCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The batch operation without HTTP: each file decided on its own, in request order, charged per file. */
class PresignBatchTest {
  static OperationFixture fixture;
  static PresignBatch batch;

  @BeforeAll
  static void build() {
    fixture = new OperationFixture(Map.of("ALLOWED_CONTENT_TYPES", "image/png,text/plain", "BATCH_MAX_FILES", "3"));
    batch = new PresignBatch(new PresignPut(fixture.policy, fixture.signer, fixture.metrics),
        fixture.config.uploads().batchMaxFiles());
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  private static JsonArray uploads(FakeCall call) {
    return new JsonObject((String) batch.answer(call)).getJsonArray("uploads");
  }

  @Test
  void a_denied_file_answers_its_own_problem_in_its_slot_and_the_others_are_signed() {
    FakeCall call = new FakeCall("alice", new JsonObject().put("files", new JsonArray()
        .add(new JsonObject().put("filename", "a.png").put("contentType", "image/png"))
        .add(new JsonObject().put("filename", "b.exe").put("contentType", "application/x-msdownload"))
        .add(new JsonObject().put("filename", "c.txt").put("size", 5))).encode());
    JsonArray uploads = uploads(call);
    assertThat(uploads).hasSize(3);
    assertThat(uploads.getJsonObject(0).getString("key")).matches("users/alice/[0-9a-f-]{36}/a\\.png");
    assertThat(uploads.getJsonObject(0).getJsonObject("headers").getString("Content-Type")).isEqualTo("image/png");
    assertThat(uploads.getJsonObject(1).getInteger("status")).isEqualTo(403);
    assertThat(uploads.getJsonObject(1).getString("rule")).isEqualTo("content-type");
    assertThat(uploads.getJsonObject(1).getString("detail")).contains("application/x-msdownload");
    assertThat(uploads.getJsonObject(1).containsKey("key")).isFalse();
    assertThat(uploads.getJsonObject(2).getString("key")).endsWith("/c.txt");
    assertThat(uploads.getJsonObject(2).getJsonObject("headers").getString("Content-Length")).isEqualTo("5");
    assertThat(call.charged).as("one permit was charged by the pipeline, the rest here").isEqualTo(2);
    assertThat(call.items).extracting(item -> item[2]).containsExactly(200, 403, 200);
    assertThat(call.items.get(0)[1]).isEqualTo(uploads.getJsonObject(0).getString("key"));
  }

  @Test
  void each_file_is_read_as_a_single_presign_body_is() {
    FakeCall call = new FakeCall("alice", "{\"files\":[{\"filename\":\"a.txt\",\"size\":\"12\"},"
        + "{\"filename\":\" \"},7]}");
    JsonArray uploads = uploads(call);
    assertThat(uploads.getJsonObject(0).getString("field")).isEqualTo("size");
    assertThat(uploads.getJsonObject(1).getString("field")).isEqualTo("filename");
    assertThat(uploads.getJsonObject(2).getString("field")).isEqualTo("files");
    assertThat(uploads).allSatisfy(slot -> assertThat(((JsonObject) slot).getInteger("status")).isEqualTo(400));
  }

  @Test
  void more_files_than_the_maximum_none_or_no_array_refuse_the_whole_batch() {
    String four = new JsonObject().put("files", new JsonArray().add(new JsonObject().put("filename", "1"))
        .add(new JsonObject().put("filename", "2")).add(new JsonObject().put("filename", "3"))
        .add(new JsonObject().put("filename", "4"))).encode();
    for (String body : new String[] {four, "{\"files\":[]}", "{\"files\":{}}", "{}", "[]", "{\"files\":[{}]}x",
        // a member twice anywhere makes the whole body ambiguous
        "{\"files\":[{\"filename\":\"a.txt\",\"filename\":\"b.txt\"}]}"}) {
      assertThatThrownBy(() -> batch.answer(new FakeCall("alice", body))).as(body)
          .isInstanceOf(PolicyException.class);
    }
    assertThatThrownBy(() -> batch.answer(new FakeCall("alice", four)))
        .hasMessageContaining("at most 3 files");
  }
}
