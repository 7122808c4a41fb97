package dev.presign.openload;

import org.HdrHistogram.Histogram;

/**
 * Latencies in microseconds, recorded without allocation in an HdrHistogram of 3 significant digits (within 0.1 %
 * above 2,048 µs, exact below), which grows to whatever value comes. A percentile is the highest value of its bucket,
 * never understated, and never over the exact maximum. One thread records and reads.
 */
final class Latencies {
  private final Histogram histogram = new Histogram(3);
  private long max;

  /** One latency; a negative one (a clock read out of order) counts as 0. */
  void record(long us) {
    long v = Math.max(0, us);
    histogram.recordValue(v);
    max = Math.max(max, v);
  }

  long count() {
    return histogram.getTotalCount();
  }

  /** The value at percentile p (0-100): at least p % of the values are at or below it; 0 when empty. */
  long percentile(double p) {
    if (histogram.getTotalCount() == 0) {
      return 0;
    }
    return Math.min(histogram.getValueAtPercentile(p), max);
  }

  long max() {
    return max;
  }

  double mean() {
    return histogram.getTotalCount() == 0 ? 0 : histogram.getMean();
  }

  void clear() {
    histogram.reset();
    max = 0;
  }
}
