package dev.presign.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.config.GatewayConfig;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever file name, subject, claimed prefixes and requested prefix a caller sends, the key the policy makes stays
 * under that caller's prefix and is a clean S3 key — or the request is refused with a {@link PolicyException}, and
 * never with any other exception.
 */
class KeyPropertiesTest {
  private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  record Scenario(String template, String subject, List<String> claimed, String requested, String filename) {}

  @Property(tries = 2000)
  void the_key_stays_under_the_callers_prefix_and_is_clean_or_the_request_is_refused(
      @ForAll("scenarios") Scenario s) {
    KeyPolicy policy = new KeyPolicy(uploads(s.template()));
    Caller caller = new Caller(s.subject(), s.claimed());
    UploadPlan plan;
    try {
      plan = policy.plan(caller, new UploadRequest(s.filename(), null, null, null, s.requested()));
    } catch (PolicyException e) {
      Statistics.label("outcome").collect("refused " + (e.isDenial() ? e.rule() : e.field()));
      Statistics.label("accepted").collect(false);
      checkCoverage();
      return;
    }
    Statistics.label("outcome").collect(s.requested() == null ? "accepted, own prefix" : "accepted, chosen prefix");
    Statistics.label("accepted").collect(true);
    checkCoverage();
    String key = plan.key();
    String shown = show(key);

    List<String> owned = policy.prefixesOf(caller);
    String prefix = s.requested() == null ? owned.get(0) : KeyPolicy.normalizePrefix(s.requested());
    assertThat(prefix).endsWith("/");
    assertThat(key).as("%s", shown).startsWith(prefix);
    assertThat(owned).as("owned prefixes").anyMatch(p -> prefix.startsWith(p) && p.endsWith("/"));
    assertThat(policy.owns(caller, key)).as("owns %s", shown).isTrue();

    String rest = key.substring(prefix.length());
    assertThat(rest).as("%s", shown).matches(UUID + "/[^/]+");
    String name = rest.substring(37);

    for (String segment : key.split("/", -1)) {
      assertThat(segment).as("segment of %s", shown).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..");
    }
    assertThat(key).as("%s", shown).doesNotContain("\\");
    assertThat(key.codePoints()).as("control characters in %s", shown).noneMatch(Character::isISOControl);
    assertThat(key.codePoints()).as("lone surrogates in %s", shown)
        .noneMatch(cp -> Character.getType(cp) == Character.SURROGATE);
    assertThat(Normalizer.isNormalized(key, Normalizer.Form.NFC)).as("NFC: %s", shown).isTrue();
    assertThat(utf8(key)).as("UTF-8 bytes of %s", shown).isLessThanOrEqualTo(KeyPolicy.MAX_KEY_BYTES);

    assertThat(utf8(name)).as("UTF-8 bytes of the name %s", show(name))
        .isLessThanOrEqualTo(FileNames.MAX_NAME_BYTES);
    assertThat(name).as("%s", show(name)).doesNotStartWith(".").doesNotStartWith(" ").doesNotEndWith(" ")
        .doesNotContain("  ");
    assertThat(name.codePoints()).as("dropped character kinds in the name %s", show(name)).noneMatch(cp -> {
      int type = Character.getType(cp);
      return type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
          || type == Character.UNASSIGNED || type == Character.SURROGATE;
    });
    assertThat(name.codePoints()).as("whitespace other than a space in %s", show(name))
        .noneMatch(cp -> cp != ' ' && (Character.isWhitespace(cp) || Character.isSpaceChar(cp)));
  }

  @Property(tries = 1000)
  void a_sanitised_name_is_a_fixed_point_of_sanitising(@ForAll("fileNames") String raw) {
    String once;
    try {
      once = FileNames.sanitize(raw);
    } catch (PolicyException e) {
      assertThat(e.field()).isEqualTo("filename");
      return;
    }
    assertThat(FileNames.sanitize(once)).as("sanitize(%s)", show(once)).isEqualTo(once);
  }

  @Property(tries = 3000)
  void the_one_pass_check_for_plain_names_agrees_with_full_sanitising(@ForAll("plainishNames") String raw) {
    String full;
    try {
      full = FileNames.sanitizeFully(raw);
    } catch (PolicyException e) {
      assertThat(FileNames.isPlain(raw)).as("plain but refused: %s", show(raw)).isFalse();
      return;
    }
    Statistics.label("plain").collect(FileNames.isPlain(raw));
    if (FileNames.isPlain(raw)) {
      assertThat(full).as("sanitizeFully(%s)", show(raw)).isEqualTo(raw);
    }
    assertThat(FileNames.sanitize(raw)).isEqualTo(full);
    Statistics.label("plain").coverage(c -> {
      c.check(true).percentage(p -> p >= 20);
      c.check(false).percentage(p -> p >= 20);
    });
  }

  /** Names near the edge of "plain": printable ASCII with spaces, dots, slashes, a few others, up to 300 long. */
  @Provide
  Arbitrary<String> plainishNames() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange(' ', '~').ofMinLength(0).ofMaxLength(20),
        Arbitraries.strings().withChars("ab. /\\\t~-é").ofMinLength(0).ofMaxLength(12),
        Arbitraries.strings().withChars("abc").ofMinLength(250).ofMaxLength(300),
        fileNames());
  }

  /** Guards against a vacuous property: enough generated requests must get through, and enough be refused. */
  private static void checkCoverage() {
    Statistics.label("accepted").coverage(c -> {
      c.check(true).percentage(p -> p >= 15);
      c.check(false).percentage(p -> p >= 5);
    });
  }

  // ---------------------------------------------------------------- generators

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<String> templates = Arbitraries.of("users/{sub}/", "tenants/acme/{sub}/files/", "{sub}/");
    return Combinators.combine(templates, subjects(), claimedPrefixes(), fileNames())
        .flatAs((template, subject, claimed, filename) ->
            requestedPrefix(template, subject, claimed)
                .map(requested -> new Scenario(template, subject, claimed, requested, filename)));
  }

  @Provide
  Arbitrary<String> fileNames() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, text(40)),
        Tuple.of(6, Combinators.combine(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10), text(15),
            Arbitraries.of(".txt", ".pdf", "", ".tar.gz", ".JPG")).as((a, b, c) -> a + b + c)),
        Tuple.of(2, Combinators.combine(text(6), Arbitraries.of("/", "\\", "/../", "\\..\\", "/./"), text(12))
            .as((a, sep, b) -> a + sep + b)),
        Tuple.of(1, Arbitraries.strings().all().ofMaxLength(300)),
        Tuple.of(1, Arbitraries.of("", ".", "..", "...", "/", "\\", "../..", "..\\..", " . .. ", "\u0000",
            "\u202E", ".\u200B.", "a/", "a\\", " ", "\t\n", "\uD800", "\uDFFF.txt", "e\u0301.txt")));
  }

  Arbitrary<String> subjects() {
    return Arbitraries.frequencyOf(
        Tuple.of(12, Arbitraries.strings().alpha().numeric().withChars('-', '_', '@', '.').ofMinLength(1)
            .ofMaxLength(16)),
        Tuple.of(2, text(3)),
        Tuple.of(1, Arbitraries.of("", ".", "..", "a/b", "a\\b", "x".repeat(256), "x".repeat(257), "e\u0301",
            "\u00e9", "\uD800", "a\uDC00", "\u0000", "bob\u202E", "😀", "..\u0301")));
  }

  Arbitrary<List<String>> claimedPrefixes() {
    Arbitrary<String> segment = Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(8)),
        Tuple.of(2, text(3)),
        Tuple.of(1, Arbitraries.of("", ".", "..", "\\", "e\u0301", "\u00e9", "\uD800", "\u0007", "😀")));
    Arbitrary<String> path = segment.list().ofMinSize(1).ofMaxSize(4)
        .map(parts -> String.join("/", parts))
        .flatMap(p -> Arbitraries.of(p, p + "/", "/" + p, p + "//"));
    return Arbitraries.frequencyOf(
        Tuple.of(3, path),
        Tuple.of(1, Arbitraries.of("teams/blue", "teams/blue/", "../escape", "a//b", "/abs", ".", "teams/./x",
            "x".repeat(513), "x".repeat(1200), "users/alice"))).list().ofMaxSize(3);
  }

  /** Null (the default prefix), a sub-prefix of something the caller may own, or anything at all. */
  Arbitrary<String> requestedPrefix(String template, String subject, List<String> claimed) {
    List<String> candidates = new ArrayList<>(claimed);
    candidates.add(template.replace("{sub}", subject));
    Arbitrary<String> suffix = Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.just("")),
        Tuple.of(3, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6).map(x -> "/" + x)),
        Tuple.of(2, text(4).map(x -> "/" + x)),
        Tuple.of(1, Arbitraries.of("/..", "/../../other", "//", "/.", "\\x", "x", "/" + "y".repeat(600))));
    Arbitrary<String> owned = Combinators.combine(Arbitraries.of(candidates), suffix).as((p, s) ->
        p.endsWith("/") && s.startsWith("/") ? p + s.substring(1) : p + s);
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.just(null)),
        Tuple.of(5, owned),
        Tuple.of(1, text(10)),
        Tuple.of(1, Arbitraries.of("users/bob/", "users/", "", "/", "teams/bluex/")));
  }

  /** Text made of pieces that break naive key handling, up to {@code pieces} of them (some pieces are long). */
  static Arbitrary<String> text(int pieces) {
    Arbitrary<String> piece = Arbitraries.frequencyOf(
        Tuple.of(10, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(8)),
        Tuple.of(4, Arbitraries.of("/", "\\", ".", "..", " ", "  ", "\t", "\n", "\u3000", "\u00a0", "\u2028")),
        Tuple.of(3, Arbitraries.chars().range('\u0000', '\u001f').map(String::valueOf)),
        Tuple.of(1, Arbitraries.chars().range('\u007f', '\u009f').map(String::valueOf)),
        Tuple.of(3, Arbitraries.chars().range('\u0300', '\u036f').map(String::valueOf)),
        // NFD forms and characters NFC changes: e + acute, A + ring, the Angstrom sign, Hangul jamo, a ligature.
        Tuple.of(3, Arbitraries.of("e\u0301", "A\u030a", "\u212b", "\u1100\u1161\u11a8", "n\u0303",
            "A\u0308\u0304", "\ufb01", "\u0958", "\u1e9b\u0323")),
        Tuple.of(2, Arbitraries.of("😀", "👩‍👩‍👧", "🇩🇪", "\ud83d", "\ude00", "\udbff\udfff", "𝒜")),
        Tuple.of(2, Arbitraries.of("\u202e", "\u200b", "\ufeff", "\u200d", "\ue000", "\u0378", "\ufffe", "\uffff")),
        Tuple.of(1, Arbitraries.of("a".repeat(300), "\u00e9".repeat(200), "😀".repeat(80), "\u5b57".repeat(120),
            ".".repeat(50), " ".repeat(40), "e\u0301".repeat(150))),
        Tuple.of(2, Arbitraries.strings().all().ofMaxLength(10)),
        Tuple.of(2, Arbitraries.of(".txt", ".tar.gz", ".averyveryverylongext", "%2e%2e", "%2F", "?", "#", "+",
            "&", "=", "~", "*", ":", "\"", "<>", "|")));
    return piece.list().ofMaxSize(pieces).map(parts -> String.join("", parts));
  }

  static GatewayConfig.Uploads uploads(String template) {
    return new GatewayConfig.Uploads(template, List.of("text/plain"), 1000, false, false, Duration.ofMinutes(5));
  }

  /** The text with everything outside printable ASCII as \\uXXXX, so that a failure report can be read. */
  static String show(String s) {
    StringBuilder out = new StringBuilder();
    s.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
        : String.format("\\u%04x", c)));
    return out.toString();
  }

  static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
