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
   * The most subjects tracked at once, a memory bound. Past it, new subjects share one overflow bucket (same rate
   * and burst) until an eviction on a worker makes room: bounded memory, and never unlimited. Evicting inline
   * would mean walking the map on an event loop to find an idle entry.
   */
  static final int MAX_SUBJECTS = 200_000;
  /** Idle subjects are forgotten this often, and at the next check while subjects overflow. */
  static final long EVICT_EVERY_NANOS = 60_000_000_000L;

  private final int maxSubjects;

  private final long intervalNanos;
  private final long toleranceNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, AtomicLong> arrivals = new ConcurrentHashMap<>();
  private final AtomicLong overflow;
  private volatile boolean overflowed;
  private volatile long lastEviction;

  /** {@code perSecond} sustained requests and bursts of {@code burst}; perSecond 0 disables limiting. */
  public RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
    this(perSecond, burst, nanoClock, MAX_SUBJECTS);
  }

  RateLimiter(double perSecond, int burst, LongSupplier nanoClock, int maxSubjects) {
    this.maxSubjects = maxSubjects;
    this.intervalNanos = perSecond <= 0 ? 0 : (long) (1_000_000_000L / perSecond);
    this.toleranceNanos = intervalNanos * Math.max(0, burst - 1);
    this.nanoClock = nanoClock;
    this.lastEviction = nanoClock.getAsLong();
    this.overflow = new AtomicLong(lastEviction);
  }

  public boolean enabled() {
    return intervalNanos > 0;
  }

  /** 0 when the request may proceed, otherwise the nanoseconds to wait before retrying. */
  public long acquire(String subject) {
    return acquire(subject, 1);
  }

  /**
   * The same for {@code permits} requests at once (a batch), all or none: 0 when they may proceed, otherwise the
   * nanoseconds until they would. More permits than the burst never conform: see {@link #burst()}.
   */
  public long acquire(String subject, int permits) {
    if (!enabled() || permits <= 0) {
      return 0;
    }
    long now = nanoClock.getAsLong();
    AtomicLong tat = arrivals.get(subject);
    if (tat == null) {
      if (arrivals.size() >= maxSubjects) {
        if (!overflowed) { // read first: event loops do not keep writing one shared cache line
          overflowed = true;
        }
        tat = overflow;
      } else {
        tat = arrivals.computeIfAbsent(subject, s -> new AtomicLong(now));
      }
    }
    long extra = (permits - 1) * intervalNanos;
    while (true) {
      long current = tat.get();
      long start = Math.max(current, now);
      if (start + extra - now > toleranceNanos) {
        return start + extra - now - toleranceNanos;
      }
      if (tat.compareAndSet(current, start + extra + intervalNanos)) {
        return 0;
      }
    }
  }

  /**
   * Gives back {@code permits} just taken by {@link #acquire} for {@code subject} (a request that turned out to
   * cost more, and could not get the rest, is charged nothing). Subjects sharing the overflow bucket get nothing
   * back: the bucket is not theirs alone.
   */
  public void refund(String subject, int permits) {
    AtomicLong tat = enabled() ? arrivals.get(subject) : null;
    if (tat != null) {
      tat.addAndGet(-permits * intervalNanos);
    }
  }

  /** Nanoseconds between two requests at the sustained rate; 0 when limiting is off. */
  long intervalNanos() {
    return intervalNanos;
  }

  /** The most requests one subject may make at once; 0 when limiting is off. */
  public int burst() {
    return intervalNanos == 0 ? 0 : (int) (toleranceNanos / intervalNanos) + 1;
  }

  /** True when {@link #evictIdle} should run: a minute after the last one, or as soon as a subject overflowed. */
  public boolean evictionDue(long now) {
    return overflowed || now - lastEviction >= EVICT_EVERY_NANOS;
  }

  /** Drops subjects whose bucket is full again: forgetting them changes no decision. Walks the map: on a worker. */
  public void evictIdle(long now) {
    lastEviction = now;
    overflowed = false; // before the walk: an overflow during it asks for the next eviction
    arrivals.entrySet().removeIf(e -> e.getValue().get() <= now);
  }

  int trackedSubjects() {
    return arrivals.size();
  }
}
