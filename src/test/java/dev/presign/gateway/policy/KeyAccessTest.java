package dev.presign.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Which existing keys a caller may name (download, sign, complete, abort), and the multipart inputs: the policy's
 * own answers, at their bounds, without the HTTP layer that the operation tests go through.
 */
class KeyAccessTest {
  private static final Caller ALICE = new Caller("alice", List.of("teams/red/"));
  private final KeyPolicy policy = new KeyPolicy(new GatewayConfig.Uploads("users/{sub}/", List.of("image/*"),
      1 << 20, false, false, Duration.ofMinutes(5), 100, List.of("public/"), false));

  private static void refused(ThrowingCallable call, String field, String rule) {
    assertThatThrownBy(call).isInstanceOfSatisfying(PolicyException.class, e -> {
      assertThat(e.field()).isEqualTo(field);
      assertThat(e.rule()).isEqualTo(rule);
    });
  }

  @Test
  void a_caller_writes_only_under_its_own_prefixes_and_reads_also_under_read_only_ones() {
    for (String key : List.of("users/alice/x", "users/alice/a/b.txt", "teams/red/r.png")) {
      assertThat(policy.writableKey(ALICE, key)).isEqualTo(key);
      assertThat(policy.readableKey(ALICE, key)).isEqualTo(key);
    }
    assertThat(policy.readableKey(ALICE, "public/logo.png")).isEqualTo("public/logo.png");
    refused(() -> policy.writableKey(ALICE, "public/logo.png"), null, "key-prefix");
    for (String key : List.of("users/bob/x", "users/alice2/x", "users/alicex", "teams/blue/x", "publicity/x")) {
      refused(() -> policy.writableKey(ALICE, key), null, "key-prefix");
      refused(() -> policy.readableKey(ALICE, key), null, "key-prefix");
    }
  }

  @Test
  void a_key_that_is_no_key_is_a_400_before_any_prefix_rule() {
    String under = "users/alice/";
    for (String key : java.util.Arrays.asList(null, "", "/users/alice/x", "\\users/alice/x", under + "../bob/x",
        under + "./x", under + "a//b", under + "a\\b", under + "a\u0000b", under + "x/", under + "e\u0301",
        under + "\ud800", under + "x".repeat(1024 - under.length() + 1))) {
      refused(() -> policy.writableKey(ALICE, key), "key", null);
      refused(() -> policy.readableKey(ALICE, key), "key", null);
    }
    String longest = under + "x".repeat(1024 - under.length()); // 1024 UTF-8 bytes: the most S3 takes
    assertThat(policy.writableKey(ALICE, longest)).isEqualTo(longest);
    String longestUtf8 = under + "é".repeat((1024 - under.length()) / 2); // 2 bytes each
    assertThat(policy.readableKey(ALICE, longestUtf8)).isEqualTo(longestUtf8);
    refused(() -> policy.readableKey(ALICE, longestUtf8 + "é"), "key", null);
  }

  @Test
  void part_numbers_are_s3s_1_to_10000() {
    assertThat(KeyPolicy.checkPartNumber(1L)).isEqualTo(1);
    assertThat(KeyPolicy.checkPartNumber(10_000L)).isEqualTo(10_000);
    assertThat(KeyPolicy.checkPartNumber(537L)).isEqualTo(537);
    for (Long n : java.util.Arrays.asList(null, 0L, -1L, 10_001L, Long.MAX_VALUE, 4_294_967_297L)) {
      refused(() -> KeyPolicy.checkPartNumber(n), "partNumber", null);
    }
  }

  @Test
  void an_upload_id_is_1_to_1024_of_the_characters_s3_uses() {
    String chars = "ABCxyz019._~+/=-";
    assertThat(KeyPolicy.checkUploadId(chars)).isEqualTo(chars);
    assertThat(KeyPolicy.checkUploadId("a")).isEqualTo("a");
    assertThat(KeyPolicy.checkUploadId("a".repeat(1024))).hasSize(1024);
    for (String id : java.util.Arrays.asList(null, "", "a".repeat(1025), "a&partNumber=2", "a b", "a%20", "a\n",
        "é")) {
      refused(() -> KeyPolicy.checkUploadId(id), "uploadId", null);
    }
  }

  @Test
  void a_prefix_template_naming_the_subject_twice_names_it_twice() {
    KeyPolicy twice = new KeyPolicy(new GatewayConfig.Uploads("users/{sub}/shared/{sub}/", List.of("image/*"),
        1 << 20, false, false, Duration.ofMinutes(5)));
    assertThat(twice.prefixesOf(new Caller("alice", List.of()))).containsExactly("users/alice/shared/alice/");
    assertThat(twice.writableKey(new Caller("alice", List.of()), "users/alice/shared/alice/x"))
        .isEqualTo("users/alice/shared/alice/x");
  }

  @Test
  void an_extra_prefix_of_up_to_512_characters_is_owned_and_a_longer_one_is_ignored() {
    String longest = "p".repeat(512);
    Caller caller = new Caller("alice", List.of(longest, "q".repeat(513)));
    assertThat(policy.prefixesOf(caller)).containsExactly("users/alice/", longest + "/");
    assertThat(policy.writableKey(caller, longest + "/x")).isEqualTo(longest + "/x");
    refused(() -> policy.writableKey(caller, "q".repeat(513) + "/x"), null, "key-prefix");
  }

  @Test
  void a_subject_that_is_no_path_segment_owns_no_prefix() {
    // Not plain ASCII, so the full check decides: a slash or backslash at either end, or over 256 characters.
    for (String sub : List.of("/\u00e9", "\u00e9/", "\\\u00e9", "\u00e9\\", "\u00e9".repeat(257))) {
      refused(() -> policy.prefixesOf(new Caller(sub, List.of())), null, "subject");
    }
    String longest = "\u00e9".repeat(256);
    assertThat(policy.prefixesOf(new Caller(longest, List.of()))).containsExactly("users/" + longest + "/");
  }

  @Test
  void each_thread_makes_random_v4_ids_also_past_the_seeds_drawn_at_construction() throws InterruptedException {
    // One generator per thread, the first SEEDS seeded from seeds drawn up front, later ones seeding themselves.
    int threads = KeyPolicy.SEEDS + 8;
    Set<UUID> ids = ConcurrentHashMap.newKeySet();
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Thread> started = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        try {
          ids.add(policy.randomId());
          ids.add(policy.randomId());
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      t.start();
      started.add(t);
    }
    for (Thread t : started) {
      t.join(10_000);
    }
    assertThat(errors).isEmpty();
    assertThat(ids).hasSize(2 * threads).allSatisfy(id -> {
      assertThat(id.version()).isEqualTo(4);
      assertThat(id.variant()).isEqualTo(2);
    });
  }
}
