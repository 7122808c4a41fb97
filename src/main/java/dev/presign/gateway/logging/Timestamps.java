package dev.presign.gateway.logging;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * RFC 3339 UTC timestamps written several thousand times a second (log lines, presign answers): the date and time
 * of day are formatted once per second and shared, only the fraction is appended each time.
 */
public final class Timestamps {
  private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
      .withZone(ZoneOffset.UTC);
  /** The second last formatted ("2026-01-31T12:34:56"); replaced whole, so any thread may read it. */
  private static volatile Second last = new Second(Long.MIN_VALUE, "");

  private record Second(long epochSecond, String text) {}

  private Timestamps() {}

  /** "2026-01-31T12:34:56.789Z": always three digits of milliseconds. */
  public static void appendMillis(StringBuilder out, long epochMillis) {
    int millis = (int) Math.floorMod(epochMillis, 1000);
    out.append(second(Math.floorDiv(epochMillis, 1000))).append('.')
        .append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10)).append((char) ('0' + millis % 10))
        .append('Z');
  }

  /** The same text as {@link Instant#toString()}. */
  public static void append(StringBuilder out, Instant instant) {
    if (instant.getNano() != 0) {
      out.append(instant);
      return;
    }
    out.append(second(instant.getEpochSecond())).append('Z');
  }

  private static String second(long epochSecond) {
    Second second = last;
    if (second.epochSecond() != epochSecond) {
      second = new Second(epochSecond, SECOND.format(Instant.ofEpochSecond(epochSecond)));
      last = second;
    }
    return second.text();
  }
}
