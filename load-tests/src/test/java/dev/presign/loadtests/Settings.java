package dev.presign.loadtests;

import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.Assertion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Simulation parameters: {@code -Dname=value} system properties, each with a default for the local stack. */
final class Settings {
  private Settings() {}

  static String string(String name, String fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? fallback : v.strip();
  }

  static int integer(String name, int fallback) {
    return Integer.parseInt(string(name, Integer.toString(fallback)));
  }

  static double decimal(String name, double fallback) {
    return Double.parseDouble(string(name, Double.toString(fallback)));
  }

  static String baseUrl() {
    return string("baseUrl", "http://127.0.0.1:8080");
  }

  /** A hard stop for a run whose load lasts {@code seconds}: time for the last answers, never an endless run. */
  static Duration maxDuration(double seconds) {
    return Duration.ofSeconds((long) Math.ceil(seconds) + 30);
  }

  /**
   * Pass/fail for every simulation: no request got an answer other than the one it expects, and, when
   * {@code -Dp99=MS} is given, the 99th percentile response time stays under it.
   */
  static List<Assertion> assertions() {
    List<Assertion> assertions = new ArrayList<>();
    assertions.add(global().failedRequests().count().is(0L));
    String p99 = string("p99", null);
    if (p99 != null) {
      assertions.add(global().responseTime().percentile(99).lt(Integer.parseInt(p99)));
    }
    return assertions;
  }
}
