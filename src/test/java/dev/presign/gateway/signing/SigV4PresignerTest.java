package dev.presign.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/** The signer keeps per-day, per-key and per-token state between URLs; none of it may leak into the next URL. */
class SigV4PresignerTest {
  private static final SigV4Presigner.Target TARGET =
      new SigV4Presigner.Target("https", "uploads.s3.eu-west-1.amazonaws.com", "");
  private static final List<AwsCredentials> CREDENTIALS = List.of(
      AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
      AwsSessionCredentials.create("ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "token-1"),
      AwsSessionCredentials.create("ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "token-2"),
      AwsBasicCredentials.create("AKIAOTHEREXAMPLE0000", "another/secret+key"));
  private static final List<Instant> CLOCK = List.of(Instant.parse("2026-11-27T23:59:59Z"),
      Instant.parse("2026-11-28T00:00:00Z"), Instant.parse("2026-11-28T00:00:01Z"),
      Instant.parse("2026-11-27T23:59:59Z"));

  private static final List<String[]> QUERIES = List.of(new String[0], new String[] {"uploads", null},
      new String[] {"partNumber", "10000", "uploadId", "a+b/c="},
      new String[] {"z", "1", "y", "2", "X-Amz-E", "3", "Alpha", null, "b", "", "a", "6"});

  @Test
  void a_reused_signer_signs_as_a_fresh_one_across_days_credentials_tokens_header_sets_and_queries() {
    SigV4Presigner reused = new SigV4Presigner(TARGET, "eu-west-1");
    for (Instant now : CLOCK) {
      for (AwsCredentials credentials : CREDENTIALS) {
        for (String[] headers : headerSets()) {
          for (String[] query : QUERIES) {
            String method = query.length == 0 ? "PUT" : "POST";
            String expected = new SigV4Presigner(TARGET, "eu-west-1")
                .presign(method, "users/a/Ünïcode name+1.txt", headers, query, credentials, now, 300);
            assertThat(reused.presign(method, "users/a/Ünïcode name+1.txt", headers, query, credentials, now, 300))
                .isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void header_whitespace_is_signed_as_sigv4_trims_it_tabs_and_line_breaks_too() {
    SigV4Presigner signer = new SigV4Presigner(TARGET, "eu-west-1");
    String[] plain = new String[SignedHeader.COUNT];
    plain[SignedHeader.CONTENT_TYPE.ordinal()] = "text/plain; charset=utf-8";
    String[] spaced = new String[SignedHeader.COUNT];
    spaced[SignedHeader.CONTENT_TYPE.ordinal()] = "\t text/plain;\t\r\n  charset=utf-8 \u000b";
    assertThat(signer.presignPut("k", spaced, CREDENTIALS.get(0), CLOCK.get(0), 60))
        .isEqualTo(signer.presignPut("k", plain, CREDENTIALS.get(0), CLOCK.get(0), 60));
    // Not SigV4 whitespace: kept, so signed as the client sends it.
    spaced[SignedHeader.CONTENT_TYPE.ordinal()] = "\u00a0text/plain; charset=utf-8";
    assertThat(signer.presignPut("k", spaced, CREDENTIALS.get(0), CLOCK.get(0), 60))
        .isNotEqualTo(signer.presignPut("k", plain, CREDENTIALS.get(0), CLOCK.get(0), 60));
  }

  @Test
  void the_date_and_credential_scope_follow_the_clock_across_midnight() {
    SigV4Presigner signer = new SigV4Presigner(TARGET, "eu-west-1");
    String[] none = new String[SignedHeader.COUNT];
    String before = signer.presignPut("k", none, CREDENTIALS.get(0), CLOCK.get(0), 60);
    String after = signer.presignPut("k", none, CREDENTIALS.get(0), CLOCK.get(1), 60);
    assertThat(before).contains("X-Amz-Date=20261127T235959Z", "%2F20261127%2Feu-west-1%2Fs3%2Faws4_request");
    assertThat(after).contains("X-Amz-Date=20261128T000000Z", "%2F20261128%2Feu-west-1%2Fs3%2Faws4_request");
  }

  @Test
  void a_lone_surrogate_in_a_key_is_encoded_as_utf8_would_encode_it() {
    SigV4Presigner.Bytes out = new SigV4Presigner.Bytes(4);
    SigV4Presigner.encode(out, "a\uD800b\uD83D\uDE00/é", false);
    assertThat(out.toAsciiString()).isEqualTo("a%3Fb%F0%9F%98%80/%C3%A9");
    SigV4Presigner.Bytes end = new SigV4Presigner.Bytes(4);
    SigV4Presigner.encode(end, "a\uD800", false);
    assertThat(end.toAsciiString()).as("a high surrogate that ends the key").isEqualTo("a%3F");
  }

  @Test
  void a_header_value_is_trimmed_its_inner_whitespace_runs_made_one_space_and_non_ascii_written_as_utf8() {
    SigV4Presigner.Bytes out = new SigV4Presigner.Bytes(1);
    SigV4Presigner.appendTrimmed(out, " \t a\u0080 \r\n b\u007f\u00e9  ");
    assertThat(out.toArray()).containsExactly('a', 0xc2, 0x80, ' ', 'b', 0x7f, 0xc3, 0xa9);
  }

  private static List<String[]> headerSets() {
    List<String[]> sets = new ArrayList<>();
    sets.add(new String[SignedHeader.COUNT]);
    String[] typed = new String[SignedHeader.COUNT];
    typed[SignedHeader.CONTENT_TYPE.ordinal()] = "text/plain;  charset=utf-8 ";
    typed[SignedHeader.CONTENT_LENGTH.ordinal()] = "42";
    sets.add(typed);
    String[] all = typed.clone();
    all[SignedHeader.CHECKSUM_SHA256.ordinal()] = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    all[SignedHeader.SDK_CHECKSUM_ALGORITHM.ordinal()] = "SHA256";
    all[SignedHeader.SERVER_SIDE_ENCRYPTION.ordinal()] = "aws:kms";
    all[SignedHeader.SSE_KMS_KEY_ID.ordinal()] = "alias/uploads";
    sets.add(all);
    return sets;
  }

  @Test
  void a_bucket_url_that_json_would_have_to_escape_is_refused_at_construction() {
    for (String bad : List.of("/b\"ucket", "/b\\ucket", "/b ucket", "/b\u0001", "/b\u00e9")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> new SigV4Presigner(new SigV4Presigner.Target("https", "s3.example", bad), "eu-west-1"))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void the_byte_buffer_writes_numbers_and_hex_and_grows_from_one_byte() {
    SigV4Presigner.Bytes b = new SigV4Presigner.Bytes(1);
    b.number(1234567890123L).ascii(",").number(0).ascii(",").number(-12).ascii(",").number(Long.MAX_VALUE)
        .ascii(",").hex(new byte[] {0x0f, (byte) 0xa0, 0}).ascii(",").number(7);
    assertThat(b.toAsciiString()).isEqualTo("1234567890123,0,-12,9223372036854775807,0fa000,7");
    assertThat(b.toArray()).hasSize(b.len);
    assertThat(new SigV4Presigner.Bytes(1).hex(new byte[] {1, 2, 3}).toAsciiString()).isEqualTo("010203");
  }
}
