package dev.presign.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import dev.presign.gateway.support.Cases;
import dev.presign.gateway.support.Gen;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileNamesTest {

  @Test
  void keeps_a_plain_name_unchanged() {
    assertThat(FileNames.sanitize("report-2024_Q1.pdf")).isEqualTo("report-2024_Q1.pdf");
  }

  @Test
  void keeps_only_the_last_part_of_a_slash_path() {
    assertThat(FileNames.sanitize("../../etc/passwd")).isEqualTo("passwd");
    assertThat(FileNames.sanitize("/home/bob/photos/cat.jpg")).isEqualTo("cat.jpg");
  }

  @Test
  void keeps_only_the_last_part_of_a_backslash_path() {
    assertThat(FileNames.sanitize("C:\\Users\\bob\\Desktop\\report.pdf")).isEqualTo("report.pdf");
    assertThat(FileNames.sanitize("..\\..\\windows/system32\\evil.dll")).isEqualTo("evil.dll");
  }

  @Test
  void drops_leading_dots_so_no_hidden_or_dot_segment_names_remain() {
    assertThat(FileNames.sanitize(".bashrc")).isEqualTo("bashrc");
    assertThat(FileNames.sanitize("...hidden.txt")).isEqualTo("hidden.txt");
    assertThat(FileNames.sanitize("a/..b")).isEqualTo("b");
  }

  @Test
  void drops_leading_dots_hidden_behind_spaces() {
    // ". .." used to come out as "..": the dots were stripped once, then the space, leaving a '..' segment.
    assertThat(FileNames.sanitize(". .bashrc")).isEqualTo("bashrc");
    assertThat(FileNames.sanitize(" . . .x")).isEqualTo("x");
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "..", "...", "a/..", "a\\..", "dir/", "   ", ". .", ". ..", "\u0000\u202E", "\u200B.", ""})
  void rejects_names_with_nothing_usable_left(String raw) {
    assertThatThrownBy(() -> FileNames.sanitize(raw))
        .isInstanceOfSatisfying(PolicyException.class, e -> {
          assertThat(e.field()).isEqualTo("filename");
          assertThat(e.isDenial()).isFalse();
          assertThat(e.getMessage()).contains("no usable characters");
        });
  }

  @Test
  void rejects_a_missing_name_as_required() {
    assertThatThrownBy(() -> FileNames.sanitize(null))
        .isInstanceOfSatisfying(PolicyException.class, e -> {
          assertThat(e.field()).isEqualTo("filename");
          assertThat(e.getMessage()).isEqualTo("filename is required");
        });
  }

  @Test
  void drops_control_characters_including_nul() {
    assertThat(FileNames.sanitize("re\u0000po\u0007rt\u001B\u007F\u0085.pdf")).isEqualTo("report.pdf");
  }

  @Test
  void drops_format_characters_such_as_right_to_left_override() {
    // U+202E would display "invoice\u202Efdp.exe" as "invoiceexe.pdf".
    assertThat(FileNames.sanitize("invoice\u202Efdp.exe")).isEqualTo("invoicefdp.exe");
    assertThat(FileNames.sanitize("zero\u200Bwidth\uFEFF.txt")).isEqualTo("zerowidth.txt");
  }

  @Test
  void normalises_decomposed_input_to_nfc() {
    String nfd = "Cafe\u0301 cre\u0300me.txt";
    String sanitized = FileNames.sanitize(nfd);
    assertThat(sanitized).isEqualTo("Caf\u00E9 cr\u00E8me.txt");
    assertThat(Normalizer.isNormalized(sanitized, Normalizer.Form.NFC)).isTrue();
  }

  @Test
  void collapses_whitespace_runs_to_one_space_and_trims() {
    assertThat(FileNames.sanitize("  my \t holiday\u00A0\u00A0photo\u2003.jpg  ")).isEqualTo("my holiday photo .jpg");
    assertThat(FileNames.sanitize("line\r\nbreak.txt")).isEqualTo("line break.txt");
  }

  @Test
  void keeps_names_of_exactly_255_bytes() {
    String name = "a".repeat(251) + ".txt";
    assertThat(FileNames.sanitize(name)).isEqualTo(name);
  }

  @Test
  void keeps_extension_when_truncating_long_ascii_names() {
    String sanitized = FileNames.sanitize("a".repeat(300) + ".jpeg");
    assertThat(sanitized).isEqualTo("a".repeat(250) + ".jpeg");
    assertThat(utf8(sanitized)).isEqualTo(255);
  }

  @Test
  void keeps_extension_when_truncating_names_of_two_byte_characters() {
    // 'é' is 2 bytes: 251 bytes are left for the base, so 125 of them fit (250 bytes), plus ".txt".
    String sanitized = FileNames.sanitize("\u00E9".repeat(200) + ".txt");
    assertThat(sanitized).isEqualTo("\u00E9".repeat(125) + ".txt");
    assertThat(utf8(sanitized)).isEqualTo(254);
  }

  @Test
  void truncates_decomposed_input_by_its_nfc_length() {
    String sanitized = FileNames.sanitize("e\u0301".repeat(200) + ".txt");
    assertThat(sanitized).isEqualTo("\u00E9".repeat(125) + ".txt");
  }

  @Test
  void never_splits_a_four_byte_character_when_truncating() {
    String emoji = "\uD83D\uDE00"; // U+1F600, 4 UTF-8 bytes, a surrogate pair in Java
    String sanitized = FileNames.sanitize(emoji.repeat(100) + ".png");
    assertThat(sanitized).isEqualTo(emoji.repeat(62) + ".png");
    assertThat(utf8(sanitized)).isEqualTo(252);
    assertThat(sanitized.codePoints().filter(cp -> Character.getType(cp) == Character.SURROGATE)).isEmpty();
  }

  @Test
  void truncates_multibyte_extensions_whole() {
    String sanitized = FileNames.sanitize("x".repeat(300) + ".\u6587\u66F8");
    assertThat(sanitized).endsWith(".\u6587\u66F8").startsWith("xxx");
    assertThat(utf8(sanitized)).isEqualTo(255);
  }

  @Test
  void cuts_a_long_extension_like_the_rest_of_the_name() {
    // An "extension" over 16 characters is not treated as one: the name is cut at 255 bytes.
    String sanitized = FileNames.sanitize("a".repeat(300) + "." + "b".repeat(20));
    assertThat(sanitized).isEqualTo("a".repeat(255));
  }

  @Test
  void does_not_leave_a_trailing_space_before_the_kept_extension() {
    String sanitized = FileNames.sanitize("a".repeat(250) + " " + "b".repeat(50) + ".txt");
    assertThat(sanitized).isEqualTo("a".repeat(250) + ".txt");
  }

  @Test
  void counts_utf8_bytes_not_chars() {
    assertThat(FileNames.utf8Length("a\u00E9\u6587\uD83D\uDE00")).isEqualTo(1 + 2 + 3 + 4);
  }

  @Test
  void counts_each_char_at_the_edges_of_the_utf8_lengths_as_the_encoder_does() {
    // A lone surrogate counts 1: the encoder writes '?' for it.
    for (String s : List.of("\u007f", "\u0080", "\u07ff", "\u0800", "\uffff", "\ud83d\ude00", "\ud800", "\udc00",
        "a\ud800b", "\ud800\ud800\udc00", "\udc00\ud800")) {
      assertThat(FileNames.utf8Length(s)).as("%s", s.chars().boxed().toList()).isEqualTo(utf8(s));
    }
  }

  @Test
  void keeps_a_name_of_exactly_255_bytes_unchanged_even_where_truncating_would_trim_a_space() {
    // Not plain (the 'é'), so it goes the full way; at 255 bytes nothing is cut, so the space before ".txt" stays.
    String name = "\u00e9" + "a".repeat(248) + " .txt";
    assertThat(utf8(name)).isEqualTo(255);
    assertThat(FileNames.sanitize(name)).isEqualTo(name);
  }

  @Test
  void keeps_an_extension_of_16_characters_with_its_dot_and_cuts_one_of_17() {
    String ext16 = "." + "e".repeat(15);
    assertThat(FileNames.sanitize("a".repeat(300) + ext16)).isEqualTo("a".repeat(255 - 16) + ext16);
    String ext17 = "." + "e".repeat(16);
    assertThat(FileNames.sanitize("a".repeat(300) + ext17)).isEqualTo("a".repeat(255));
  }

  /**
   * The other half of the plain-name property in KeyPropertiesTest: there, a plain name must come out of the full
   * sanitising unchanged; here, every printable-ASCII name the full sanitising leaves unchanged must be plain. A
   * fast path that gave up too early would fall through to the full way, answer the same, and nothing else would
   * notice.
   */
  @Test
  void the_plain_check_takes_every_printable_ascii_name_that_sanitising_leaves_unchanged() {
    Gen<String> printable = Gen.strings(' ', '~', 0, 40);
    Gen<String> around255 = Gen.strings(' ', '~', 250, 260);
    Gen<String> shapes = Gen.strings("a. /\\~", 0, 6);
    Map<Boolean, Integer> counts = new HashMap<>();
    Cases.run("plain check decides printable ASCII", 30_000, (random, c) -> {
      String raw = c.with("raw", switch (random.nextInt(3)) {
        case 0 -> printable.next(random);
        case 1 -> around255.next(random);
        default -> shapes.next(random);
      });
      boolean unchanged = unchangedBySanitizing(raw);
      assertThat(FileNames.isPlain(raw)).as("plain").isEqualTo(unchanged);
      counts.merge(unchanged, 1, Integer::sum);
    });
    assertThat(Cases.percent(counts, true)).as(Cases.tally(counts)).isGreaterThan(10);
    assertThat(Cases.percent(counts, false)).as(Cases.tally(counts)).isGreaterThan(20);
    for (String raw : List.of("a b", "a b c", "~", "a~", "x".repeat(255), "a.", "a..b", "!")) {
      assertThat(FileNames.isPlain(raw)).as(raw).isTrue();
    }
  }

  private static boolean unchangedBySanitizing(String raw) {
    try {
      return FileNames.sanitizeFully(raw).equals(raw);
    } catch (PolicyException e) {
      return false;
    }
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
