package dev.presign.gateway.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Per-subject token bucket in its GCRA form: one atomic "theoretical arrival time" per subject, updated with
 * compare-and-set, so event loops never take a lock. Limits are per process: with N pods behind a load
 * balancer a subject can get up to N times the rate (see README).
 */
public final class RateLimiter {
  /**
   * The most subjects tracked at once. Past it, new subjects pass untracked until the periodic eviction (on a
   * worker) makes room: subjects come from verified tokens, so this is a memory bound, not an attack surface.
   */
  static final int MAX_SUBJECTS = 200_000;

  private final int maxSubjects;

  private final long intervalNanos;
  private final long toleranceNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, AtomicLong> arrivals = new ConcurrentHashMap<>();

  /** {@code perSecond} sustained requests and bursts of {@code burst}; perSecond 0 disables limiting. */
  public RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
    this(perSecond, burst, nanoClock, MAX_SUBJECTS);
  }

  RateLimiter(double perSecond, int burst, LongSupplier nanoClock, int maxSubjects) {
    this.maxSubjects = maxSubjects;
    this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
    this.toleranceNanos = intervalNanos * Math.max(0, burst - 1);
    this.nanoClock = nanoClock;
  }

  public boolean enabled() {
    return intervalNanos > 0;
  }

  /** 0 when the request may proceed, otherwise the nanoseconds to wait before retrying. */
  public long acquire(String subject) {
    if (!enabled()) {
      return 0;
    }
    long now = nanoClock.getAsLong();
    AtomicLong tat = arrivals.get(subject);
    if (tat == null) {
      if (arrivals.size() >= maxSubjects) {
        return 0;
      }
      tat = arrivals.computeIfAbsent(subject, s -> new AtomicLong(now));
    }
    while (true) {
      long current = tat.get();
      long start = Math.max(current, now);
      if (start - now > toleranceNanos) {
        return start - now - toleranceNanos;
      }
      if (tat.compareAndSet(current, start + intervalNanos)) {
        return 0;
      }
    }
  }

  /** Drops subjects whose bucket is full again: forgetting them changes no decision. */
  public void evictIdle(long now) {
    arrivals.entrySet().removeIf(e -> e.getValue().get() <= now);
  }

  int trackedSubjects() {
    return arrivals.size();
  }
}
