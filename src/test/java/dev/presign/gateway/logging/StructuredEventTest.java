package dev.presign.gateway.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class StructuredEventTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("audit");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  StructuredEventTest() {
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    appender.setContext(context);
    appender.start();
    logger.addAppender(appender);
  }

  @Test
  void a_structured_event_is_written_like_a_logback_event_with_the_same_fields() {
    StructuredEvent.info(logger, "presign ok", "event", "presign", "status", 200, "subject", "al\"ice\n\u2028",
        "size", 12L, "ratio", 0.5, "rule", null, "flag", true);
    ILoggingEvent structured = appender.list.get(0);

    LoggingEvent plain = new LoggingEvent(Logger.FQCN, logger, Level.INFO, "presign ok", null, null);
    plain.setTimeStamp(structured.getTimeStamp());
    plain.setThreadName(structured.getThreadName());
    plain.setKeyValuePairs(List.of(new KeyValuePair("event", "presign"), new KeyValuePair("status", 200),
        new KeyValuePair("subject", "al\"ice\n\u2028"), new KeyValuePair("size", 12L), new KeyValuePair("ratio", 0.5),
        new KeyValuePair("flag", true)));

    assertThat(JsonLayout.asJson(structured)).isEqualTo(JsonLayout.asJson(plain));
    JsonObject line = new JsonObject(JsonLayout.asJson(structured));
    assertThat(line.getString("logger")).isEqualTo("audit");
    assertThat(line.getString("thread")).isEqualTo(Thread.currentThread().getName());
    assertThat(line.getInteger("status")).isEqualTo(200);
    assertThat(line.getString("subject")).isEqualTo("al\"ice\n\u2028");
    assertThat(line.containsKey("rule")).as("a field without a value is left out").isFalse();
    assertThat(structured.getKeyValuePairs()).extracting(kv -> kv.key)
        .containsExactly("event", "status", "subject", "size", "ratio", "flag");
  }

  @Test
  void a_logger_that_does_not_take_info_gets_nothing() {
    logger.setLevel(Level.WARN);
    StructuredEvent.info(logger, "presign ok", "event", "presign");
    assertThat(appender.list).isEmpty();
    logger.setLevel(Level.INFO);
    StructuredEvent.info(logger, "presign ok", "event", "presign");
    assertThat(appender.list).hasSize(1);
  }

  @Test
  void timestamps_are_rfc3339_utc_and_read_back_as_the_same_instant() {
    Random random = new Random(7);
    long start = Instant.parse("1999-12-31T23:59:58Z").toEpochMilli();
    for (int i = 0; i < 20_000; i++) {
      // Mostly neighbouring milliseconds (the cached second is reused, then replaced), sometimes a far jump.
      long millis = i % 100 == 0 ? random.nextLong(0, 4_102_444_800_000L) : start + i * 37L;
      StringBuilder out = new StringBuilder();
      Timestamps.appendMillis(out, millis);
      assertThat(out).hasSize(24).endsWith("Z");
      assertThat(Instant.parse(out)).isEqualTo(Instant.ofEpochMilli(millis));
      Instant whole = Instant.ofEpochSecond(millis / 1000);
      StringBuilder seconds = new StringBuilder();
      Timestamps.append(seconds, whole);
      assertThat(seconds.toString()).isEqualTo(whole.toString());
      StringBuilder fraction = new StringBuilder();
      Timestamps.append(fraction, Instant.ofEpochMilli(millis).plusNanos(1));
      assertThat(fraction.toString()).isEqualTo(Instant.ofEpochMilli(millis).plusNanos(1).toString());
    }
  }
}
