package dev.presign.gateway.http.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.policy.PolicyException;
import io.vertx.core.buffer.Buffer;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultipartBodyTest {
  static MultipartBody read(String json) {
    return MultipartBody.read(Buffer.buffer(json));
  }

  static void refused(String json, String field) {
    assertThatThrownBy(() -> read(json)).isInstanceOfSatisfying(PolicyException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }

  @Test
  void reads_every_member_and_skips_unknown_ones() {
    MultipartBody body = read("{\"key\":\"users/a/x\",\"uploadId\":\"u-1\",\"size\":12,\"partNumbers\":[1,2,3],"
        + "\"extra\":{\"a\":[1]},\"filename\":\"f\",\"contentType\":null}");
    assertThat(body).isEqualTo(new MultipartBody("f", null, 12L, "users/a/x", "u-1", List.of(1, 2, 3)));
  }

  @Test
  void refuses_a_member_named_twice_and_anything_after_the_object() {
    refused("{\"key\":\"a\",\"key\":\"b\"}", "body");
    refused("{\"key\":\"a\"} {}", "body");
    refused("[1]", "body");
    refused("", "body");
  }

  @Test
  void refuses_part_numbers_outside_s3s_range_or_too_many_in_one_call() {
    refused("{\"partNumbers\":[0]}", "partNumber");
    refused("{\"partNumbers\":[10001]}", "partNumber");
    refused("{\"partNumbers\":[99999999999999999999999]}", "partNumber");
    refused("{\"partNumbers\":[\"1\"]}", "partNumbers");
    refused("{\"partNumbers\":5}", "partNumbers");
    String many = String.join(",", Collections.nCopies(MultipartSignParts.MAX_PARTS_PER_CALL + 1, "1"));
    refused("{\"partNumbers\":[" + many + "]}", "partNumbers");
  }

  @Test
  void a_part_number_that_is_not_a_whole_number_is_told_so_and_too_many_is_told_the_limit() {
    assertThatThrownBy(() -> read("{\"partNumbers\":[\"1\"]}")).hasMessageContaining("whole numbers")
        .hasMessageNotContaining("at most");
    assertThatThrownBy(() -> read("{\"partNumbers\":[1.5]}")).hasMessageContaining("whole numbers");
    String many = String.join(",", Collections.nCopies(MultipartSignParts.MAX_PARTS_PER_CALL + 1, "1"));
    assertThatThrownBy(() -> read("{\"partNumbers\":[" + many + "]}"))
        .hasMessageContaining("at most " + MultipartSignParts.MAX_PARTS_PER_CALL);
  }

  @Test
  void refuses_a_size_that_is_not_a_whole_number_and_ids_of_the_wrong_type() {
    refused("{\"size\":1.5}", "size");
    refused("{\"size\":\"12\"}", "size");
    refused("{\"uploadId\":7}", "uploadId");
  }
}
