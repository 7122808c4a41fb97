package dev.presign.gateway.policy;

import static dev.presign.gateway.support.Cases.percent;
import static dev.presign.gateway.support.Cases.show;
import static dev.presign.gateway.support.Cases.tally;
import static dev.presign.gateway.support.Gen.w;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.support.Cases;
import dev.presign.gateway.support.Cases.Case;
import dev.presign.gateway.support.Gen;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Whatever file name, subject, claimed prefixes and requested prefix a caller sends, the key the policy makes stays
 * under that caller's prefix and is a clean S3 key — or the request is refused with a {@link PolicyException}, and
 * never with any other exception. Seeded random cases ({@link Cases}), then every special value of the generators.
 */
class KeyPropertiesTest {
  private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  record Scenario(String template, String subject, List<String> claimed, String requested, String filename) {}

  @Test
  void the_key_stays_under_the_callers_prefix_and_is_clean_or_the_request_is_refused() {
    Map<String, Integer> outcomes = new HashMap<>();
    Cases.run("key_under_prefix", 2000, (r, c) -> outcomes.merge(plan(c, scenario(r)), 1, Integer::sum));
    // Guards against a vacuous property: enough generated requests must get through, and enough be refused.
    double own = percent(outcomes, "accepted, own prefix");
    double chosen = percent(outcomes, "accepted, chosen prefix");
    assertThat(own + chosen).as("%% accepted; %s", tally(outcomes)).isGreaterThanOrEqualTo(15.0);
    assertThat(100 - own - chosen).as("%% refused; %s", tally(outcomes)).isGreaterThanOrEqualTo(5.0);
    assertThat(own).as("%% accepted under the caller's own prefix; %s", tally(outcomes)).isGreaterThanOrEqualTo(5.0);
    assertThat(chosen).as("%% accepted under a chosen prefix; %s", tally(outcomes)).isGreaterThanOrEqualTo(5.0);
    Cases.each("key_under_prefix", specialScenarios(), (gen, r, c) -> plan(c, gen.next(r)));
  }

  /** Checks the key planned for the scenario, or that the refusal is a PolicyException; says which outcome. */
  private static String plan(Case c, Scenario s) {
    c.with("template", s.template());
    c.with("subject", s.subject());
    c.with("claimed", s.claimed());
    c.with("requested", s.requested());
    c.with("filename", s.filename());
    KeyPolicy policy = new KeyPolicy(uploads(s.template()));
    Caller caller = new Caller(s.subject(), s.claimed());
    UploadPlan plan;
    try {
      plan = policy.plan(caller, new UploadRequest(s.filename(), null, null, null, s.requested()));
    } catch (PolicyException e) {
      return "refused " + (e.isDenial() ? e.rule() : e.field());
    }
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
    return s.requested() == null ? "accepted, own prefix" : "accepted, chosen prefix";
  }

  @Test
  void a_sanitised_name_is_a_fixed_point_of_sanitising() {
    Cases.run("sanitise_fixed_point", 1000, (r, c) -> sanitiseTwice(c.with("raw", FILE_NAMES.next(r))));
    Cases.each("sanitise_fixed_point", specialNames(), (raw, r, c) -> sanitiseTwice(c.with("raw", raw)));
  }

  private static void sanitiseTwice(String raw) {
    String once;
    try {
      once = FileNames.sanitize(raw);
    } catch (PolicyException e) {
      assertThat(e.field()).isEqualTo("filename");
      return;
    }
    assertThat(FileNames.sanitize(once)).as("sanitize(%s)", show(once)).isEqualTo(once);
  }

  @Test
  void the_one_pass_check_for_plain_names_agrees_with_full_sanitising() {
    Map<Boolean, Integer> plain = new HashMap<>();
    Cases.run("plain_check", 3000, (r, c) -> {
      Boolean read = checkPlain(c.with("raw", PLAINISH_NAMES.next(r)));
      if (read != null) {
        plain.merge(read, 1, Integer::sum);
      }
    });
    // Of the names sanitising keeps, enough must be plain and enough not.
    assertThat(percent(plain, true)).as("%% plain; %s", tally(plain)).isGreaterThanOrEqualTo(20.0);
    assertThat(percent(plain, false)).as("%% not plain; %s", tally(plain)).isGreaterThanOrEqualTo(20.0);
    List<String> specials = new ArrayList<>(specialNames());
    specials.addAll(List.of("a".repeat(FileNames.MAX_NAME_BYTES), "a".repeat(FileNames.MAX_NAME_BYTES + 1),
        "a", "a b", "a  b", " a", "a ", ".a", "a.", "~", "a~", "a\u007f", "a/b", "a\\b", "a\tb", "\u00e9"));
    Cases.each("plain_check", specials, (raw, r, c) -> checkPlain(c.with("raw", raw)));
  }

  /** Whether the one-pass check called the name plain, or null when sanitising refuses it. */
  private static Boolean checkPlain(String raw) {
    String full;
    try {
      full = FileNames.sanitizeFully(raw);
    } catch (PolicyException e) {
      assertThat(FileNames.isPlain(raw)).as("plain but refused: %s", show(raw)).isFalse();
      return null;
    }
    if (FileNames.isPlain(raw)) {
      assertThat(full).as("sanitizeFully(%s)", show(raw)).isEqualTo(raw);
    }
    assertThat(FileNames.sanitize(raw)).isEqualTo(full);
    return FileNames.isPlain(raw);
  }

  // ---------------------------------------------------------------- generators

  private static final List<String> SPECIAL_FILE_NAMES = List.of("", ".", "..", "...", "/", "\\", "../..",
      "..\\..", " . .. ", "\u0000", "\u202E", ".\u200B.", "a/", "a\\", " ", "\t\n", "\uD800", "\uDFFF.txt",
      "e\u0301.txt");
  private static final List<String> SPECIAL_SUBJECTS = List.of("", ".", "..", "a/b", "a\\b", "x".repeat(256),
      "x".repeat(257), "e\u0301", "\u00e9", "\uD800", "a\uDC00", "\u0000", "bob\u202E", "😀", "..\u0301");
  private static final List<String> SPECIAL_SEGMENTS = List.of("", ".", "..", "\\", "e\u0301", "\u00e9", "\uD800",
      "\u0007", "😀");
  private static final List<String> SPECIAL_CLAIMS = List.of("teams/blue", "teams/blue/", "../escape", "a//b",
      "/abs", ".", "teams/./x", "x".repeat(513), "x".repeat(1200), "users/alice");
  private static final List<String> SPECIAL_SUFFIXES = List.of("/..", "/../../other", "//", "/.", "\\x", "x",
      "/" + "y".repeat(600));
  private static final List<String> SPECIAL_REQUESTS = List.of("users/bob/", "users/", "", "/", "teams/bluex/");

  // The pieces of text(): separators and white space; NFD forms and characters NFC changes (e + acute, A + ring,
  // the Angstrom sign, Hangul jamo, a ligature); emoji, sequences, and lone surrogates; invisible, private-use,
  // unassigned and noncharacters; long runs; what URLs and shells treat specially.
  private static final List<String> SEPARATORS = List.of("/", "\\", ".", "..", " ", "  ", "\t", "\n", "\u3000",
      "\u00a0", "\u2028");
  private static final List<String> NFC_CHANGES = List.of("e\u0301", "A\u030a", "\u212b", "\u1100\u1161\u11a8",
      "n\u0303", "A\u0308\u0304", "\ufb01", "\u0958", "\u1e9b\u0323");
  private static final List<String> EMOJI_AND_SURROGATES = List.of("😀", "👩‍👩‍👧", "🇩🇪", "\ud83d", "\ude00",
      "\udbff\udfff", "𝒜");
  private static final List<String> INVISIBLE = List.of("\u202e", "\u200b", "\ufeff", "\u200d", "\ue000", "\u0378",
      "\ufffe", "\uffff");
  private static final List<String> LONG_RUNS = List.of("a".repeat(300), "\u00e9".repeat(200), "😀".repeat(80),
      "\u5b57".repeat(120), ".".repeat(50), " ".repeat(40), "e\u0301".repeat(150));
  private static final List<String> URLISH = List.of(".txt", ".tar.gz", ".averyveryverylongext", "%2e%2e", "%2F",
      "?", "#", "+", "&", "=", "~", "*", ":", "\"", "<>", "|");

  private static final Gen<String> PIECE = Gen.frequency(
      w(10, Gen.strings(Gen.ALPHANUMERIC, 1, 8)),
      w(4, Gen.of(SEPARATORS)),
      w(3, Gen.charIn('\u0000', '\u001f')),
      w(1, Gen.charIn('\u007f', '\u009f')),
      w(3, Gen.charIn('\u0300', '\u036f')),
      w(3, Gen.of(NFC_CHANGES)),
      w(2, Gen.of(EMOJI_AND_SURROGATES)),
      w(2, Gen.of(INVISIBLE)),
      w(1, Gen.of(LONG_RUNS)),
      w(2, Gen.anyStrings(10)),
      w(2, Gen.of(URLISH)));

  /** Text made of pieces that break naive key handling, up to {@code pieces} of them (some pieces are long). */
  static Gen<String> text(int pieces) {
    return PIECE.joined(0, pieces);
  }

  static final Gen<String> FILE_NAMES = Gen.frequency(
      w(6, text(40)),
      w(6, r -> Gen.strings(Gen.ALPHA, 1, 10).next(r) + text(15).next(r)
          + Gen.of(".txt", ".pdf", "", ".tar.gz", ".JPG").next(r)),
      w(2, r -> text(6).next(r) + Gen.of("/", "\\", "/../", "\\..\\", "/./").next(r) + text(12).next(r)),
      w(1, Gen.anyStrings(300)),
      w(1, Gen.of(SPECIAL_FILE_NAMES)));

  /** Names near the edge of "plain": printable ASCII with spaces, dots, slashes, a few others, up to 300 long. */
  static final Gen<String> PLAINISH_NAMES = Gen.frequency(
      w(1, Gen.strings(' ', '~', 0, 20)),
      w(1, Gen.strings("ab. /\\\t~-\u00e9", 0, 12)),
      w(1, Gen.strings("abc", 250, 300)),
      w(1, FILE_NAMES));

  static final Gen<String> TEMPLATES = Gen.of("users/{sub}/", "tenants/acme/{sub}/files/", "{sub}/");

  static final Gen<String> SUBJECTS = Gen.frequency(
      w(12, Gen.strings(Gen.ALPHANUMERIC + "-_@.", 1, 16)),
      w(2, text(3)),
      w(1, Gen.of(SPECIAL_SUBJECTS)));

  static final Gen<String> SEGMENTS = Gen.frequency(
      w(6, Gen.strings(Gen.ALPHANUMERIC, 1, 8)),
      w(2, text(3)),
      w(1, Gen.of(SPECIAL_SEGMENTS)));

  static final Gen<List<String>> CLAIMED_PREFIXES = Gen.<String>frequency(
      w(3, r -> path(r, SEGMENTS.list(1, 4).next(r))),
      w(1, Gen.of(SPECIAL_CLAIMS))).list(0, 3);

  /** The segments joined by '/', as they are, with a trailing '/', a leading one, or two trailing. */
  static String path(Random r, List<String> segments) {
    String p = String.join("/", segments);
    return Gen.of(p, p + "/", "/" + p, p + "//").next(r);
  }

  static final Gen<String> SUFFIXES = Gen.frequency(
      w(3, Gen.constant("")),
      w(3, Gen.strings(Gen.ALPHA, 1, 6).map(x -> "/" + x)),
      w(2, text(4).map(x -> "/" + x)),
      w(1, Gen.of(SPECIAL_SUFFIXES)));

  static Scenario scenario(Random r) {
    return scenario(r, SUBJECTS.next(r), CLAIMED_PREFIXES.next(r), FILE_NAMES.next(r));
  }

  static Scenario scenario(Random r, String subject, List<String> claimed, String filename) {
    String template = TEMPLATES.next(r);
    return new Scenario(template, subject, claimed, requestedPrefix(r, template, subject, claimed), filename);
  }

  /** Null (the default prefix), a sub-prefix of something the caller may own, or anything at all. */
  static String requestedPrefix(Random r, String template, String subject, List<String> claimed) {
    return Gen.frequency(
        w(3, Gen.constant((String) null)),
        w(5, rr -> owned(rr, template, subject, claimed, SUFFIXES.next(rr))),
        w(1, text(10)),
        w(1, Gen.of(SPECIAL_REQUESTS))).next(r);
  }

  /** One of the prefixes the caller may own (a claimed one or the template's), with {@code suffix} after it. */
  static String owned(Random r, String template, String subject, List<String> claimed, String suffix) {
    List<String> candidates = new ArrayList<>(claimed);
    candidates.add(template.replace("{sub}", subject));
    String p = Gen.of(candidates).next(r);
    return p.endsWith("/") && suffix.startsWith("/") ? p + suffix.substring(1) : p + suffix;
  }

  /** A scenario for every special value of each part, the other parts random. */
  static List<Gen<Scenario>> specialScenarios() {
    List<Gen<Scenario>> all = new ArrayList<>();
    for (String filename : SPECIAL_FILE_NAMES) {
      all.add(r -> scenario(r, SUBJECTS.next(r), CLAIMED_PREFIXES.next(r), filename));
    }
    for (String subject : SPECIAL_SUBJECTS) {
      all.add(r -> scenario(r, subject, CLAIMED_PREFIXES.next(r), FILE_NAMES.next(r)));
    }
    for (String segment : SPECIAL_SEGMENTS) {
      all.add(r -> scenario(r, SUBJECTS.next(r), List.of(path(r, List.of("teams", segment))), FILE_NAMES.next(r)));
    }
    for (String claim : SPECIAL_CLAIMS) {
      all.add(r -> {
        Scenario s = scenario(r, SUBJECTS.next(r), List.of(claim), FILE_NAMES.next(r));
        return withRequested(s, owned(r, s.template(), s.subject(), List.of(claim), SUFFIXES.next(r)));
      });
    }
    for (String suffix : SPECIAL_SUFFIXES) {
      all.add(r -> {
        Scenario s = scenario(r);
        return withRequested(s, owned(r, s.template(), s.subject(), s.claimed(), suffix));
      });
    }
    for (String requested : SPECIAL_REQUESTS) {
      all.add(r -> withRequested(scenario(r), requested));
    }
    return all;
  }

  static Scenario withRequested(Scenario s, String requested) {
    return new Scenario(s.template(), s.subject(), s.claimed(), requested, s.filename());
  }

  /** Every special value of the name generators, and every character of their character ranges, alone. */
  static List<String> specialNames() {
    List<String> all = new ArrayList<>();
    Stream.of(SPECIAL_FILE_NAMES, SEPARATORS, NFC_CHANGES, EMOJI_AND_SURROGATES, INVISIBLE, LONG_RUNS, URLISH)
        .forEach(all::addAll);
    for (char[] range : new char[][] {{'\u0000', '\u001f'}, {'\u007f', '\u009f'}, {'\u0300', '\u036f'}}) {
      for (char ch = range[0]; ch <= range[1]; ch++) {
        all.add(String.valueOf(ch));
      }
    }
    return all;
  }

  static GatewayConfig.Uploads uploads(String template) {
    return new GatewayConfig.Uploads(template, List.of("text/plain"), 1000, false, false, Duration.ofMinutes(5));
  }

  static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
