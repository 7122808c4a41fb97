package dev.presign.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.support.Cases;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * KeyPolicy's one-pass content-type check ({@code isAllowedPlainType}) against its full check ({@code
 * checkMediaType}), in both directions: the fast path passes nothing the full check would refuse or change, and it
 * takes every plain type (lower-case type/subtype over its alphabet, no parameters) the full check allows unchanged.
 * The second direction is what makes the fast path observable: a fast path that gave up too early would fall
 * through to the full check, answer the same, and no other test would notice.
 */
class KeyPolicyFastPathTest {
  /** The characters the fast path handles: lower-case letters, digits and these token characters. */
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-";
  /** A type name of 127 characters, the longest the full check takes: with it a type reaches 255 characters. */
  private static final String LONG = "long-" + "t".repeat(122);
  /**
   * Built for each test, not once per class: a policy built before PIT swaps a mutant into KeyPolicy's constructor
   * would hide that mutant (its fields were computed by the original code).
   */
  private final List<KeyPolicy> policies = List.of(
      withTypes(LONG + "/*", LONG + "/" + "s".repeat(127), "text/plain"),
      withTypes("image/*", "text/plain", "application/pdf"),
      withTypes("image/*", "text/*", "application/*", "image/svg+xml", "text/html"),
      withTypes("image/png", "video/mp4", "application/vnd.ms-excel", "a/b", "x-y.z+w/q!#$&^_.+-"),
      withTypes("application/*", "video/*"));

  private static KeyPolicy withTypes(String... types) {
    return new KeyPolicy(new GatewayConfig.Uploads("users/{sub}/", List.of(types), 1 << 20, false, false,
        Duration.ofMinutes(5)));
  }

  private static String word(Random random, int min, int max) {
    StringBuilder b = new StringBuilder();
    for (int n = min + random.nextInt(max - min + 1); n > 0; n--) {
      b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }

  /** A plain type: one allowed as configured, under an allowed type/*, an active one, or any. */
  private static String plainType(Random random) {
    String[] known = {"image/png", "image/svg+xml", "text/plain", "text/html", "text/csv", "application/pdf",
        "application/xhtml+xml", "application/javascript", "video/mp4", "a/b", "x-y.z+w/q!#$&^_.+-", "image/x+xml",
        "application/vnd.ms-excel", "text/xml", "image/a+xml"};
    String[] types = {"image", "text", "application", "video", "a", "x-y.z+w", LONG};
    return switch (random.nextInt(6)) {
      case 0 -> known[random.nextInt(known.length)];
      case 1 -> types[random.nextInt(types.length)] + "/" + word(random, 1, 12);
      case 2 -> types[random.nextInt(types.length)] + "/" + word(random, 1, 6) + "+xml";
      case 3 -> word(random, 1, 8) + "/" + word(random, 1, 8);
      // Around the full check's bounds: 127 characters a part (RFC 6838), 255 in all; a part over 127 is refused.
      case 4 -> random.nextBoolean() ? word(random, 120, 130) + "/" + word(random, 120, 130)
          : types[random.nextInt(types.length)] + "/" + word(random, 120, 135);
      default -> random.nextBoolean() ? LONG + "/" + "s".repeat(127) : LONG + "/" + word(random, 100, 127);
    };
  }

  private static boolean allowedUnchanged(KeyPolicy p, String type) {
    try {
      return p.checkMediaType(type).equals(type);
    } catch (PolicyException e) {
      return false;
    }
  }

  @Test
  void the_fast_path_takes_exactly_the_plain_types_the_full_check_allows_unchanged() {
    int[] taken = new int[1];
    Cases.run("fast path = full check on plain types", 20_000, (random, c) -> {
      String type = c.with("type", plainType(random));
      KeyPolicy p = policies.get(c.with("policy", random.nextInt(policies.size())));
      boolean fast = p.isAllowedPlainType(type);
      assertThat(fast).as("fast path on %s", type).isEqualTo(allowedUnchanged(p, type));
      taken[0] += fast ? 1 : 0;
    });
    assertThat(taken[0]).as("cases the fast path took").isGreaterThan(2_000);
  }

  @Test
  void the_fast_path_leaves_every_other_spelling_to_the_full_check() {
    KeyPolicy p = policies.get(1);
    for (String type : List.of("Image/png", "image/PNG", "image/png; charset=x", "image/png ", " image/png",
        "image//png", "image/png/x", "/png", "image/", "image", "", "image/p*g", "image/p%g", "image/p~g",
        "image/p|g", "image/p'g", "image/p`g", "image/pé")) {
      assertThat(p.isAllowedPlainType(type)).as(type).isFalse();
    }
    // and the full check still decides them (a value of spaces alone is no type: trimmed to nothing, refused)
    assertThat(p.checkMediaType("Image/png")).isEqualTo("Image/png");
    for (String spaces : List.of(" ", "   ")) {
      assertThatThrownBy(() -> p.checkMediaType(spaces)).isInstanceOfSatisfying(PolicyException.class,
          e -> assertThat(e.field()).isEqualTo("contentType"));
    }
    assertThat(p.checkMediaType("image/png; charset=x")).isEqualTo("image/png; charset=x");
  }
}
