package dev.presign.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.Cases;
import dev.presign.gateway.support.Gen;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The one-pass fast paths of the key checks held against the full checks they stand in for: a fast path may only
 * say "safe" where the full check says so too, and for the text it is made for (printable ASCII) it must decide
 * every case itself, or it is not a fast path. Same for the upload id's loop against its grammar.
 */
class KeyFastPathTest {
  /** Characters that make paths interesting: separators, dots, space, a backslash, controls, non-ASCII. */
  private static final String PATHY = "ab/./../ .\\~-_%+\u0000\u001f\u007f\u0085\u00e9e\u0301\ud83d\ude00\ud800\udc00";

  private static final Gen<String> PRINTABLE = Gen.strings(' ', '~', 0, 40);
  private static final Gen<String> PATH_LIKE = Gen.strings(PATHY, 0, 24);
  private static final Gen<String> ANY = Gen.anyStrings(24);

  @Test
  void the_plain_path_check_never_passes_a_path_the_full_check_refuses() {
    Map<String, Integer> counts = new HashMap<>();
    Cases.run("plain path implies safe path", 30_000, (random, c) -> {
      String path = switch (random.nextInt(3)) {
        case 0 -> PRINTABLE.next(random);
        case 1 -> PATH_LIKE.next(random);
        default -> ANY.next(random);
      };
      c.with("path", path);
      boolean plain = KeyPolicy.isPlainPath(path);
      boolean safe = KeyPolicy.isSafePathFully(path);
      counts.merge(plain ? "plain" : safe ? "safe, not plain" : "unsafe", 1, Integer::sum);
      if (plain) {
        assertThat(safe).as("the fast path passed a path the full check refuses").isTrue();
      }
    });
    // Not vacuous: each of the three outcomes is common.
    assertThat(Cases.percent(counts, "plain")).as(Cases.tally(counts)).isGreaterThan(10);
    assertThat(Cases.percent(counts, "safe, not plain")).as(Cases.tally(counts)).isGreaterThan(5);
    assertThat(Cases.percent(counts, "unsafe")).as(Cases.tally(counts)).isGreaterThan(10);
  }

  @Test
  void the_plain_path_check_decides_every_printable_ascii_path_the_way_the_full_check_does() {
    Gen<String> segments = Gen.strings("a./ \\~", 0, 12);
    Cases.run("plain path decides printable ASCII", 30_000, (random, c) -> {
      String path = random.nextBoolean() ? PRINTABLE.next(random) : segments.next(random);
      c.with("path", path);
      assertThat(KeyPolicy.isPlainPath(path)).isEqualTo(KeyPolicy.isSafePathFully(path));
    });
  }

  @Test
  void the_plain_path_check_refuses_each_unsafe_shape() {
    for (String unsafe : List.of("", "/a", "a/", "a//b", ".", "..", "a/./b", "a/../b", "a/..", "./a", "a\\b",
        "a\u0000b", "a\u007fb", "a\tb")) {
      assertThat(KeyPolicy.isPlainPath(unsafe)).as(unsafe).isFalse();
      assertThat(KeyPolicy.isSafePathFully(unsafe)).as(unsafe).isFalse();
    }
    for (String safe : List.of("a", "...", ".a", "a.", "..a", "users/alice/Quarterly Report.pdf", "~/x y/z")) {
      assertThat(KeyPolicy.isPlainPath(safe)).as(safe).isTrue();
    }
  }

  @Test
  void a_key_is_shaped_by_its_utf8_length_on_both_paths() {
    String ascii = "a/".repeat(511) + "bc"; // 1024 bytes
    assertThat(KeyPolicy.isKeyShaped(ascii)).isTrue();
    assertThat(KeyPolicy.isKeyShaped(ascii + "d")).isFalse();
    String twoByte = "\u00e9".repeat(512); // 1024 UTF-8 bytes, not plain
    assertThat(KeyPolicy.isKeyShaped(twoByte)).isTrue();
    assertThat(KeyPolicy.isKeyShaped(twoByte + "a")).isFalse();
  }

  @Test
  void the_upload_id_loop_accepts_exactly_its_grammar() {
    Pattern grammar = Pattern.compile("[A-Za-z0-9._~+/=-]{1,1024}");
    Gen<String> near = Gen.strings("Az09._~+/=- %&?#\u00e9\n", 0, 30);
    Cases.run("upload id loop equals grammar", 30_000, (random, c) -> {
      String id = random.nextInt(4) == 0 ? ANY.next(random) : near.next(random);
      c.with("uploadId", id);
      assertThat(KeyPolicy.isUploadId(id)).isEqualTo(grammar.matcher(id).matches());
    });
    assertThat(KeyPolicy.isUploadId("x".repeat(1024))).isTrue();
    assertThat(KeyPolicy.isUploadId("x".repeat(1025))).isFalse();
    assertThat(KeyPolicy.isUploadId(null)).isFalse();
  }

  @Test
  void the_plain_subject_check_decides_every_printable_ascii_subject_the_way_the_full_check_does() {
    // Printable ASCII, space included: short ones, ones around the 256-character bound, and dot and slash shapes.
    Gen<String> around256 = Gen.strings(' ', '~', 250, 260);
    Gen<String> shapes = Gen.strings("a./ \\~!", 0, 4);
    Map<String, Integer> counts = new HashMap<>();
    Cases.run("plain subject decides printable ASCII", 30_000, (random, c) -> {
      String sub = c.with("subject", switch (random.nextInt(3)) {
        case 0 -> PRINTABLE.next(random);
        case 1 -> around256.next(random);
        default -> shapes.next(random);
      });
      boolean plain = KeyPolicy.isPlainSegment(sub);
      assertThat(plain).as("fast path").isEqualTo(KeyPolicy.isSafeSegmentFully(sub));
      counts.merge(plain ? "plain" : "refused", 1, Integer::sum);
    });
    assertThat(Cases.percent(counts, "plain")).as(Cases.tally(counts)).isGreaterThan(20);
    assertThat(Cases.percent(counts, "refused")).as(Cases.tally(counts)).isGreaterThan(20);
    for (String sub : List.of(" ", "~", "!", "a b", "x".repeat(256), "~".repeat(256), "...", ".a", "a.")) {
      assertThat(KeyPolicy.isPlainSegment(sub)).as(sub).isTrue();
    }
    for (String sub : List.of("", ".", "..", "/", "a/", "/a", "\\", "a\\", "x".repeat(257))) {
      assertThat(KeyPolicy.isPlainSegment(sub)).as(sub).isFalse();
      assertThat(KeyPolicy.isSafeSegmentFully(sub)).as(sub).isFalse();
    }
  }

  @Test
  void the_plain_subject_check_never_passes_a_subject_the_full_check_refuses() {
    Cases.run("plain subject implies safe subject", 30_000, (random, c) -> {
      String sub = c.with("subject", random.nextBoolean() ? ANY.next(random) : PATH_LIKE.next(random));
      if (KeyPolicy.isPlainSegment(sub)) {
        assertThat(KeyPolicy.isSafeSegmentFully(sub)).as("the fast path passed a subject the full check refuses")
            .isTrue();
      }
    });
    assertThat(KeyPolicy.isPlainSegment(null)).isFalse();
    assertThat(KeyPolicy.isSafeSegmentFully(null)).isFalse();
  }

  @Test
  void the_full_subject_check_takes_unicode_subjects_up_to_256_chars_and_refuses_each_unsafe_one() {
    for (String sub : List.of("\u00e9", "\u00e9".repeat(256), "caf\u00e9 au lait", "\ud83d\ude00", "a\u00a0b")) {
      assertThat(KeyPolicy.isSafeSegmentFully(sub)).as(sub).isTrue();
    }
    for (String sub : List.of("\u00e9".repeat(257), "/\u00e9", "\u00e9/", "\\\u00e9", "\u00e9\\", "e\u0301",
        "\u00e9\u0000", "\u0085\u00e9", "\ud800\u00e9", "\u00e9\udc00")) {
      assertThat(KeyPolicy.isSafeSegmentFully(sub)).as(sub).isFalse();
    }
  }

  @Test
  void an_upload_id_takes_each_end_of_its_character_ranges_and_refuses_their_neighbours() {
    for (String id : List.of("a", "z", "A", "Z", "0", "9", ".", "_", "~", "+", "/", "=", "-")) {
      assertThat(KeyPolicy.isUploadId(id)).as(id).isTrue();
    }
    for (String id : List.of("`", "{", "@", "[", ":", ",", "*", "%", " ", "\u007f", "\u0000", "\u00e9")) {
      assertThat(KeyPolicy.isUploadId(id)).as(id).isFalse();
      assertThat(KeyPolicy.isUploadId("abc" + id)).as("abc" + id).isFalse();
    }
  }
}
