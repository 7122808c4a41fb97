package dev.presign.gateway.http.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.http.operations.Companion.Path;
import dev.presign.gateway.http.operations.Companion.Resource;
import dev.presign.gateway.policy.PolicyException;
import org.junit.jupiter.api.Test;

/** How Companion's paths, part lists and metadata sizes are read: what Uppy 5 sends, and what it never does. */
class CompanionPathTest {
  static final String S3 = "/api/companion/s3/";

  @Test
  void each_path_of_the_protocol_names_its_resource_upload_id_and_part() {
    assertThat(Path.parse(S3 + "params")).isEqualTo(new Path(Resource.PARAMS, null, null));
    assertThat(Path.parse(S3 + "multipart")).isEqualTo(new Path(Resource.MULTIPART, null, null));
    assertThat(Path.parse(S3 + "multipart/abc")).isEqualTo(new Path(Resource.UPLOAD, "abc", null));
    assertThat(Path.parse(S3 + "multipart/abc/7")).isEqualTo(new Path(Resource.PART, "abc", "7"));
    assertThat(Path.parse(S3 + "multipart/abc/batch")).isEqualTo(new Path(Resource.BATCH, "abc", null));
    assertThat(Path.parse(S3 + "multipart/abc/complete")).isEqualTo(new Path(Resource.COMPLETE, "abc", null));
  }

  @Test
  void paths_outside_the_protocol_are_none_of_its_resources() {
    for (String path : new String[] {"/api/companion/s3", S3, S3 + "sts", S3 + "params/x", S3 + "multipart/",
        S3 + "multipart//1", S3 + "multipart/abc/", S3 + "multipart/abc/1/x", S3 + "other/abc", "/api/s3/presign",
        "/api/companion/s3x/params", null}) {
      assertThat(Path.parse(path)).as(path).isNull();
    }
  }

  @Test
  void the_upload_id_is_percent_decoded_keeps_a_plus_and_is_checked_for_shape() {
    assertThat(Path.parse(S3 + "multipart/a%2Fb%2Bc%3D/1").checkedUploadId()).isEqualTo("a/b+c=");
    assertThat(Path.parse(S3 + "multipart/a+b/1").checkedUploadId()).isEqualTo("a+b");
    assertThatThrownBy(() -> Path.parse(S3 + "multipart/a%20b/1").checkedUploadId())
        .isInstanceOf(PolicyException.class).hasMessageContaining("uploadId");
    assertThatThrownBy(() -> Path.parse(S3 + "multipart/a%2/1").checkedUploadId())
        .isInstanceOf(PolicyException.class).hasMessageContaining("percent-encoded");
    assertThatThrownBy(() -> Path.parse(S3 + "multipart/a%26key%3Dx/1").checkedUploadId())
        .isInstanceOf(PolicyException.class);
  }

  @Test
  void part_numbers_are_whole_numbers_from_1_to_10000_and_a_batch_at_most_100_distinct() {
    assertThat(Companion.partNumber("1")).isEqualTo(1);
    assertThat(Companion.partNumber("10000")).isEqualTo(10_000);
    for (String bad : new String[] {"0", "10001", "-1", "1.0", "", " 1", "99999999999", "１"}) {
      assertThatThrownBy(() -> Companion.partNumber(bad)).as(bad).isInstanceOf(PolicyException.class);
    }
    assertThat(Companion.partNumbers("3,1, 2,3")).containsExactly(3, 1, 2);
    assertThatThrownBy(() -> Companion.partNumbers("1,,2")).isInstanceOf(PolicyException.class);
    assertThatThrownBy(() -> Companion.partNumbers(null)).isInstanceOf(PolicyException.class);
    String many = "1" + ",1".repeat(100);
    assertThatThrownBy(() -> Companion.partNumbers(many)).hasMessageContaining("at most 100");
  }

  @Test
  void a_metadata_size_is_a_whole_number_of_bytes_as_string_or_number_and_absent_when_empty() {
    assertThat(Companion.size("12")).isEqualTo(12L);
    assertThat(Companion.size(12)).isEqualTo(12L);
    assertThat(Companion.size(12L)).isEqualTo(12L);
    assertThat(Companion.size(null)).isNull();
    assertThat(Companion.size("")).isNull();
    for (Object bad : new Object[] {"-1", "1e3", "12 ", "9999999999999999999", 1.5, true}) {
      assertThatThrownBy(() -> Companion.size(bad)).as(String.valueOf(bad)).isInstanceOf(PolicyException.class);
    }
  }
}
