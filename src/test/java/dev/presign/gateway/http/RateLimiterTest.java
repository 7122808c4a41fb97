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
    assertThat(limiter.acquire("carol")).as("untracked while full").isZero();
    assertThat(limiter.trackedSubjects()).isEqualTo(2);
    assertThat(limiter.acquire("alice")).as("tracked subjects stay limited").isPositive();
  }
}
