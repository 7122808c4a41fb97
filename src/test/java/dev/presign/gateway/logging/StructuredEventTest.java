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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** LF, CR, ESC, NUL, DEL, a C1 control, U+2028, a backslash, and a quote that would open a fake field. */
  static final String HOSTILE = "a\n2026-12-01T00:00:00.000Z INFO audit - presign ok\r\u001b[2K\u0000\u007f\u0085"
      + "\u2028\u2029\t\\\" key=users/bob/x";

  @Test
  void text_log_line_cannot_be_forged_by_a_newline_in_any_field() {
    List<Object> pairs = new java.util.ArrayList<>(List.of("event", "presign", "status", 400));
    Map<String, String> written = new LinkedHashMap<>(Map.of("event", "presign", "status", "400"));
    for (String name : List.of("requestId", "operation", "outcome", "subject", "key", "contentType", "rule",
        "reason")) {
      pairs.add(name);
      pairs.add(name + HOSTILE);
      written.put(name, name + HOSTILE);
    }
    StructuredEvent.info(logger, "presign " + HOSTILE, pairs.toArray());

    String text = JsonLayout.asText(appender.list.get(0));
    assertThat(text).endsWith("\n");
    String line = text.substring(0, text.length() - 1);
    assertOneVisibleLine(line);
    String head = " INFO audit - presign a\\n2026-12-01T00:00:00.000Z INFO audit - presign ok\\r\\u001b[2K\\u0000"
        + "\\u007f\\u0085\\u2028\\u2029\\t\\\\\" key=users/bob/x ";
    assertThat(line.substring(24)).startsWith(head);
    assertThat(line).contains(" subject=\"subjecta\\n2026-12-01T00:00:00.000Z INFO audit - presign ok\\r\\u001b[2K"
        + "\\u0000\\u007f\\u0085\\u2028\\u2029\\t\\\\\\\" key=users/bob/x\"");
    assertThat(readFields(line.substring(24 + head.length()))).isEqualTo(written);
  }

  @Test
  void text_values_that_need_no_escaping_are_written_as_they_are() {
    StructuredEvent.info(logger, "presign ok", "event", "presign", "status", 200, "subject", "alice@example.com",
        "key", "users/alice/1/a.txt", "contentType", "text/plain; charset=utf-8", "reason", "");
    String line = JsonLayout.asText(appender.list.get(0));
    assertThat(line.substring(24)).isEqualTo(" INFO audit - presign ok event=presign status=200"
        + " subject=alice@example.com key=users/alice/1/a.txt contentType=\"text/plain; charset=utf-8\" reason=\"\"\n");
  }

  @Test
  void text_layout_escapes_an_exception_message_but_keeps_the_stack_on_its_own_lines() {
    LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.ERROR, "could not record\nforged", 
        new IllegalStateException("boom\n2026-12-01T00:00:00.000Z INFO audit - presign ok subject=bob"), null);
    List<String> lines = JsonLayout.asText(event).lines().toList();
    assertThat(lines.get(0)).endsWith(" ERROR audit - could not record\\nforged");
    assertThat(lines.get(1)).isEqualTo("java.lang.IllegalStateException: boom\\n2026-12-01T00:00:00.000Z INFO audit"
        + " - presign ok subject=bob");
    assertThat(lines.subList(2, lines.size())).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("\tat "));
  }

  /** No character that a terminal or a log shipper could take as a line break or a control sequence. */
  static void assertOneVisibleLine(String line) {
    assertThat(line.chars().filter(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029))
        .as("raw control characters in %s", line).isEmpty();
  }

  /** Reads back {@code name=value name="quoted value" …} as the text layout writes it, undoing its escapes. */
  static Map<String, String> readFields(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    int i = 0;
    while (i < text.length()) {
      int eq = text.indexOf('=', i);
      String name = text.substring(i, eq);
      StringBuilder value = new StringBuilder();
      i = eq + 1;
      boolean quoted = i < text.length() && text.charAt(i) == '"';
      if (quoted) {
        i++;
      }
      while (i < text.length()) {
        char c = text.charAt(i++);
        if (c == '\\') {
          char e = text.charAt(i++);
          switch (e) {
            case 'n' -> value.append('\n');
            case 'r' -> value.append('\r');
            case 't' -> value.append('\t');
            case 'u' -> {
              value.append((char) Integer.parseInt(text.substring(i, i + 4), 16));
              i += 4;
            }
            default -> value.append(e);
          }
        } else if (quoted ? c == '"' : c == ' ') {
          break;
        } else {
          value.append(c);
        }
      }
      if (quoted && i < text.length()) {
        assertThat(text.charAt(i)).as("a quoted value ends before the next field").isEqualTo(' ');
        i++;
      }
      fields.put(name, value.toString());
    }
    return fields;
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
