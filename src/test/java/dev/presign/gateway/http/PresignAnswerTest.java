package dev.presign.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.signing.PresignedUpload;
import dev.presign.gateway.signing.SignedHeader;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answer is written without a JSON tree; it must be exactly what the tree would have encoded. */
class PresignAnswerTest {
  @Test
  void the_written_answer_is_the_json_a_tree_encodes_for_awkward_keys_and_headers() {
    List<String> keys = List.of("users/alice/1/report.pdf", "users/a/1/quote \" and \\\\ back\\\\slash.txt",
        "users/a/1/日本語 ü 😀.png", "users/a/1/line\u2028sep\u2029.txt", "users/a/1/</script>&<b>.html",
        "users/a/1/ctl\u0001\u001f\u007f.bin");
    for (String key : keys) {
      String[] signed = new String[SignedHeader.COUNT];
      signed[SignedHeader.CONTENT_TYPE.ordinal()] = "text/plain; charset=\"utf-8\"";
      signed[SignedHeader.CONTENT_LENGTH.ordinal()] = "42";
      signed[SignedHeader.SERVER_SIDE_ENCRYPTION.ordinal()] = "aws:kms";
      PresignedUpload upload = new PresignedUpload(key, "https://b.s3.amazonaws.com/" + key + "?X-Amz-Signature=ab",
          signed, Instant.parse("2026-11-27T22:00:05Z"));

      JsonObject headers = new JsonObject();
      upload.forEachHeader(headers::put);
      String tree = new JsonObject().put("key", upload.key()).put("uploadUrl", upload.url()).put("method", "PUT")
          .put("headers", headers).put("expiresAt", upload.expiresAt().toString()).encode();

      assertThat(dev.presign.gateway.http.operations.PresignPut.answer(upload)).isEqualTo(tree);
      assertThat(new JsonObject(dev.presign.gateway.http.operations.PresignPut.answer(upload)).getString("key")).isEqualTo(key);
    }
  }

  @Test
  void an_answer_without_signed_headers_has_an_empty_headers_object() {
    PresignedUpload upload = new PresignedUpload("k", "https://x/k", new String[SignedHeader.COUNT],
        Instant.parse("2026-11-27T22:00:00Z"));
    assertThat(dev.presign.gateway.http.operations.PresignPut.answer(upload)).isEqualTo(
        "{\"key\":\"k\",\"uploadUrl\":\"https://x/k\",\"method\":\"PUT\",\"headers\":{},\"expiresAt\":\"2026-11-27T22:00:00Z\"}");
  }
}
