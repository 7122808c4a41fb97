package dev.presign.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContentDispositionTest {
  @Test
  void a_plain_ascii_name_is_one_quoted_filename() {
    assertThat(ContentDisposition.attachment("Quarterly Report.pdf"))
        .isEqualTo("attachment; filename=\"Quarterly Report.pdf\"");
  }

  @Test
  void a_non_ascii_name_gets_an_ascii_fallback_and_an_rfc_5987_utf8_name() {
    assertThat(ContentDisposition.attachment("résumé 😀.pdf")).isEqualTo(
        "attachment; filename=\"r_sum_ _.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%F0%9F%98%80.pdf");
  }

  @Test
  void quotes_backslashes_and_percent_never_reach_the_quoted_string_raw() {
    String header = ContentDisposition.attachment("a\"b\\c%41.txt");
    assertThat(header).startsWith("attachment; filename=\"a_b_c_41.txt\"; filename*=UTF-8''");
    String encoded = header.substring(header.indexOf("''") + 2);
    assertThat(URLDecoder.decode(encoded, StandardCharsets.UTF_8)).isEqualTo("a\"b\\c%41.txt");
    assertThat(header.chars()).allMatch(c -> c >= 0x20 && c <= 0x7e);
  }
}
