package dev.presign.gateway.http.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.support.OperationFixture;
import dev.presign.gateway.support.OperationFixture.FakeCall;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The download operation without HTTP: who may read which key, and the signed download name. */
class PresignDownloadTest {
  static OperationFixture fixture;
  static PresignDownload download;

  @BeforeAll
  static void build() {
    fixture = new OperationFixture(Map.of("READ_PREFIXES", "public/"));
    download = new PresignDownload(fixture.policy, fixture.signer);
  }

  @AfterAll
  static void close() {
    fixture.close();
  }

  private static JsonObject answer(String subject, JsonObject request) {
    FakeCall call = new FakeCall(subject, request.encode());
    JsonObject a = new JsonObject((String) download.answer(call));
    assertThat(call.key).isEqualTo(a.getString("key"));
    return a;
  }

  @Test
  void own_keys_and_read_only_prefixes_get_a_presigned_get() {
    JsonObject own = answer("alice", new JsonObject().put("key", "users/alice/1/a.txt"));
    assertThat(own.getString("method")).isEqualTo("GET");
    assertThat(own.getString("url")).contains("/users/alice/1/a.txt?").doesNotContain("response-content");
    assertThat(own.getJsonObject("headers")).isEqualTo(new JsonObject());
    assertThat(answer("bob", new JsonObject().put("key", "public/logo.png")).getString("url"))
        .contains("/public/logo.png?");
  }

  @Test
  void others_keys_and_prefix_boundaries_are_403_key_prefix() {
    for (String key : new String[] {"users/bob/1/a.txt", "users/alice2/1/a.txt", "publicity/a.txt",
        "users/alice/../bob/a.txt"}) {
      PolicyException e = catchThrowableOfType(PolicyException.class,
          () -> download.answer(new FakeCall("alice", new JsonObject().put("key", key).encode())));
      assertThat(e).as(key).isNotNull();
      assertThat(e.isDenial() ? e.rule() : e.field()).as(key).isIn("key-prefix", "key");
    }
  }

  @Test
  void a_download_name_is_signed_as_an_attachment_disposition() {
    JsonObject a = answer("alice", new JsonObject().put("key", "users/alice/1/a.txt").put("filename", "Résumé.txt"));
    String url = a.getString("url");
    String value = url.substring(url.indexOf("response-content-disposition=") + 29);
    value = URLDecoder.decode(value.substring(0, value.indexOf('&')), StandardCharsets.UTF_8);
    assertThat(value).isEqualTo("attachment; filename=\"R_sum_.txt\"; filename*=UTF-8''R%C3%A9sum%C3%A9.txt");
  }
}
