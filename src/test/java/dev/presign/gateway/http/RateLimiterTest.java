package dev.presign.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  final AtomicLong now = new AtomicLong(1_000_000_000_000L);

  @Test
  void allows_a_burst_then_refuses_with_the_time_to_wait() {
    RateLimiter limiter = new RateLimiter(10, 3, now::get);
    assertThat(limiter.acquire("alice")).isZero();
    assertThat(limiter.acquire("alice")).isZero();
    assertThat(limiter.acquire("alice")).isZero();
    assertThat(limiter.acquire("alice")).isEqualTo(100_000_000L);
  }

  @Test
  void refills_at_the_configured_rate() {
    RateLimiter limiter = new RateLimiter(10, 1, now::get);
    assertThat(limiter.acquire("alice")).isZero();
    assertThat(limiter.acquire("alice")).isPositive();
    now.addAndGet(100_000_000L);
    assertThat(limiter.acquire("alice")).isZero();
    assertThat(limiter.acquire("alice")).isPositive();
  }

  @Test
  void subjects_have_separate_buckets() {
    RateLimiter limiter = new RateLimiter(1, 1, now::get);
    assertThat(limiter.acquire("alice")).isZero();
    assertThat(limiter.acquire("alice")).isPositive();
    assertThat(limiter.acquire("bob")).isZero();
  }

  @Test
  void zero_rate_disables_limiting() {
    RateLimiter limiter = new RateLimiter(0, 1, now::get);
    assertThat(limiter.enabled()).isFalse();
    for (int i = 0; i < 1000; i++) {
      assertThat(limiter.acquire("alice")).isZero();
    }
    assertThat(limiter.trackedSubjects()).isZero();
  }

  @Test
  void idle_subjects_are_forgotten_without_changing_any_decision() {
    RateLimiter limiter = new RateLimiter(10, 2, now::get);
    limiter.acquire("alice");
    limiter.acquire("bob");
    limiter.acquire("bob");
    now.addAndGet(150_000_000L); // alice is full again; bob still owes 50 ms
    limiter.evictIdle(now.get());
    assertThat(limiter.trackedSubjects()).isEqualTo(1);
    assertThat(limiter.acquire("bob")).isZero();
    assertThat(limiter.acquire("bob")).isPositive();
  }

  @Test
  void tracks_at_most_the_configured_number_of_subjects() {
    RateLimiter limiter = new RateLimiter(1, 1, now::get, 2);
    limiter.acquire("alice");
    limiter.acquire("bob");
    assertThat(limiter.acquire("carol")).isZero();
    assertThat(limiter.acquire("carol")).as("untracked, yet limited").isPositive();
    assertThat(limiter.trackedSubjects()).isEqualTo(2);
    assertThat(limiter.acquire("alice")).as("tracked subjects stay limited").isPositive();
  }

  @Test
  void a_new_subject_is_still_limited_when_the_table_is_full() {
    RateLimiter limiter = full(3);
    assertThat(passed(limiter, 1000, "dave")).as("of 1000 at once, burst 2").isEqualTo(2);
    assertThat(limiter.trackedSubjects()).isEqualTo(3);
  }

  @Test
  void new_subjects_together_get_no_more_than_one_bucket_while_the_table_is_full() {
    RateLimiter limiter = full(3);
    assertThat(passed(limiter, 1000, "dave", "erin", "frank", "grace", "heidi")).isEqualTo(2);
    now.addAndGet(1_000_000_000L); // one more token at 1/s
    assertThat(passed(limiter, 1000, "ivan", "judy")).isEqualTo(1);
  }

  @Test
  void after_eviction_frees_room_a_new_subject_gets_its_own_bucket_again() {
    RateLimiter limiter = full(3);
    assertThat(limiter.evictionDue(now.get())).as("nothing overflowed yet, a minute not passed").isFalse();
    assertThat(passed(limiter, 1000, "dave")).isEqualTo(2); // drains the shared bucket
    assertThat(limiter.evictionDue(now.get())).as("an overflow asks for an early eviction").isTrue();

    now.addAndGet(1_000_000_000L); // alice, bob and carol are idle again; the shared bucket has one token
    limiter.evictIdle(now.get());
    assertThat(limiter.trackedSubjects()).isZero();
    assertThat(limiter.evictionDue(now.get())).isFalse();
    assertThat(passed(limiter, 1000, "grace")).as("a full burst of its own").isEqualTo(2);
    assertThat(passed(limiter, 1000, "dave")).isEqualTo(2);
    assertThat(limiter.trackedSubjects()).isEqualTo(2);

    now.addAndGet(60_000_000_000L);
    assertThat(limiter.evictionDue(now.get())).as("the regular eviction, once a minute").isTrue();
  }

  /** Rate 1/s, burst 2, at most {@code bound} subjects, all of them tracked. */
  private RateLimiter full(int bound) {
    RateLimiter limiter = new RateLimiter(1, 2, now::get, bound);
    for (int i = 0; i < bound; i++) {
      assertThat(limiter.acquire("tracked-" + i)).isZero();
    }
    assertThat(limiter.trackedSubjects()).isEqualTo(bound);
    return limiter;
  }

  /** Sends {@code requests} at this instant, taking turns among {@code subjects}; returns how many passed. */
  private static int passed(RateLimiter limiter, int requests, String... subjects) {
    int passed = 0;
    for (int i = 0; i < requests; i++) {
      if (limiter.acquire(subjects[i % subjects.length]) == 0) {
        passed++;
      }
    }
    return passed;
  }

  @Test
  void several_permits_are_taken_all_or_none_at_the_rate_of_as_many_requests() {
    long[] now = {0};
    RateLimiter limiter = new RateLimiter(10, 5, () -> now[0]);
    assertThat(limiter.burst()).isEqualTo(5);
    assertThat(limiter.acquire("a", 4)).isZero();
    assertThat(limiter.acquire("a", 2)).as("only one of the burst is left").isPositive();
    assertThat(limiter.acquire("a", 1)).isZero();
    assertThat(limiter.acquire("a", 1)).isPositive();
    now[0] += 300_000_000L; // 3 requests' worth at 10/s
    assertThat(limiter.acquire("a", 4)).isPositive();
    assertThat(limiter.acquire("a", 3)).isZero();
  }

  @Test
  void a_refund_gives_permits_just_taken_back() {
    long[] now = {0};
    RateLimiter limiter = new RateLimiter(10, 3, () -> now[0]);
    assertThat(limiter.acquire("a", 3)).isZero();
    assertThat(limiter.acquire("a")).isPositive();
    limiter.refund("a", 2);
    assertThat(limiter.acquire("a", 2)).isZero();
    assertThat(limiter.acquire("a")).isPositive();
  }
}
