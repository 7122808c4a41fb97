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

  @Test
  void the_ends_of_printable_ascii_stay_plain_and_their_neighbours_do_not() {
    assertThat(ContentDisposition.attachment(" a~b ")).isEqualTo("attachment; filename=\" a~b \"");
    assertThat(ContentDisposition.attachment("a\u007fb")).isEqualTo(
        "attachment; filename=\"a_b\"; filename*=UTF-8''a%7Fb");
    assertThat(ContentDisposition.attachment("a\u001fb")).isEqualTo(
        "attachment; filename=\"a_b\"; filename*=UTF-8''a%1Fb");
  }

  @Test
  void rfc_5987_keeps_exactly_its_attr_chars_raw_and_percent_encodes_their_neighbours() {
    // The ends of each range (A Z a z 0 9), the first and last of the symbol list, and the characters beside them.
    assertThat(ContentDisposition.attachment("\u00e9AZaz09!~@[{/:\"")).isEqualTo(
        "attachment; filename=\"_AZaz09!~@[{/:_\"; filename*=UTF-8''%C3%A9AZaz09!~%40%5B%7B%2F%3A%22");
  }

  @Test
  void a_lone_surrogate_is_one_underscore_and_encoded_as_the_encoder_writes_it() {
    // At the end of the name, and before another character: no pair to skip, nothing read past the end.
    assertThat(ContentDisposition.attachment("a\ud800")).isEqualTo(
        "attachment; filename=\"a_\"; filename*=UTF-8''a%3F");
    assertThat(ContentDisposition.attachment("\ud800b")).isEqualTo(
        "attachment; filename=\"_b\"; filename*=UTF-8''%3Fb");
  }
}
