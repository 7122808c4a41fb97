package dev.presign.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.policy.PolicyException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared body reader on another member set than the presign body's (PresignBodyTest covers that one). */
class JsonFieldsTest {
  private static final String[] SIGN = {"method", "key", "uploadId", "partNumber", "contentType", "expiresIn"};
  private static final int NUMBERS = 1 << 3 | 1 << 5;

  @Test
  void what_the_scan_reads_jackson_reads_the_same_with_numbers_in_any_position() {
    for (String body : List.of(
        "{\"method\":\"PUT\",\"key\":\"users/a/1/b.bin\",\"uploadId\":\"u-1\",\"partNumber\":7}",
        "{\"expiresIn\":60,\"partNumber\":1,\"method\":\"POST\",\"key\":\"k\"}",
        " { \"method\" : \"GET\" , \"uploadId\" : null , \"key\" : \"x\" } ",
        "{\"method\":\"PUT\",\"key\":\"a.png\",\"extra\":1,\"contentType\":\"image/png\"}")) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      Object[] jackson = JsonFields.jackson(bytes, SIGN, NUMBERS);
      Object[] plain = JsonFields.plain(bytes, SIGN, NUMBERS);
      if (plain != null) {
        assertThat(plain).as(body).containsExactly(jackson);
      }
      assertThat(JsonFields.read(bytes, SIGN, NUMBERS)).as(body).containsExactly(jackson);
    }
    assertThat(JsonFields.plain("{\"method\":\"PUT\",\"partNumber\":7}".getBytes(StandardCharsets.UTF_8), SIGN,
        NUMBERS)).as("the plain shape is read by the scan").containsExactly("PUT", null, null, 7L, null, null);
  }

  @Test
  void a_string_where_a_number_belongs_and_the_reverse_name_their_field() {
    assertThatThrownBy(() -> JsonFields.read("{\"partNumber\":\"7\"}".getBytes(StandardCharsets.UTF_8), SIGN, NUMBERS))
        .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.field()).isEqualTo("partNumber"));
    assertThatThrownBy(() -> JsonFields.read("{\"method\":7}".getBytes(StandardCharsets.UTF_8), SIGN, NUMBERS))
        .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.field()).isEqualTo("method"));
    assertThatThrownBy(() -> JsonFields.read("{\"key\":\"a\",\"key\":\"b\"}".getBytes(StandardCharsets.UTF_8), SIGN,
        NUMBERS)).isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.field()).isEqualTo("body"));
  }
}
