package dev.presign.openload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The latency recording behind OpenLoad's percentiles: HdrHistogram, never understated, never over the maximum. */
class LatenciesTest {
  @Test
  void below_2048_microseconds_every_percentile_is_exact() {
    Latencies l = new Latencies();
    for (int us = 1; us <= 1000; us++) {
      l.record(us);
    }
    assertEquals(500, l.percentile(50));
    assertEquals(950, l.percentile(95));
    assertEquals(990, l.percentile(99));
    assertEquals(1000, l.percentile(100));
    assertEquals(1000, l.max());
    assertEquals(500.5, l.mean(), 0.01);
    assertEquals(1000, l.count());
  }

  @Test
  void above_it_a_percentile_is_within_a_tenth_of_a_percent_and_never_below_the_exact_value() {
    Random random = new Random(14);
    long[] values = new long[100_000];
    Latencies l = new Latencies();
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) Math.exp(random.nextDouble() * Math.log(60_000_000)); // 1 µs to a minute, log-uniform
      l.record(values[i]);
    }
    Arrays.sort(values);
    for (double p : new double[] {50, 90, 95, 99, 99.9}) {
      long exact = values[(int) Math.ceil(p * values.length / 100 - 1e-9) - 1]; // the rank, without float noise
      long got = l.percentile(p);
      assertTrue(got >= exact && got <= exact * 1.001 + 1, "p" + p + ": " + got + " for " + exact);
    }
    assertEquals(values[values.length - 1], l.max());
    assertEquals(values[values.length - 1], l.percentile(100), "capped at the exact maximum");
  }

  @Test
  void a_stall_of_minutes_is_recorded_not_dropped() {
    Latencies l = new Latencies();
    l.record(200);
    l.record(3_600_000_000L); // an hour
    assertEquals(3_600_000_000L, l.max());
    assertTrue(l.percentile(100) >= 3_600_000_000L);
  }

  @Test
  void negative_values_count_as_zero_and_clear_empties_it() {
    Latencies l = new Latencies();
    assertEquals(0, l.percentile(99), "empty");
    l.record(-5);
    assertEquals(0, l.max());
    assertEquals(1, l.count());
    l.record(700);
    l.clear();
    assertEquals(0, l.count());
    assertEquals(0, l.max());
    assertEquals(0, l.percentile(50));
  }
}
