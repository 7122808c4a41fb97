package dev.presign.gateway.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.LayoutBase;
import dev.presign.gateway.json.Json;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line: time, level, logger, message, the event's key-value pairs as fields, and the
 * error's class, message and stack when there is one. {@code LOG_FORMAT=text} switches to one readable line.
 */
public final class JsonLayout extends LayoutBase<ILoggingEvent> {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static volatile boolean json = !"text".equals(System.getenv("LOG_FORMAT"));

  /** Set once at start from the validated configuration. */
  public static void useJson(boolean enabled) {
    json = enabled;
  }

  /** Writes out queued log events and stops logging: the last thing before the process exits. */
  public static void flushAndStop() {
    if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      context.stop();
    }
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    return json ? asJson(event) : asText(event);
  }

  /**
   * Written field by field (no map, no tree): strings are JSON-escaped, numbers and booleans bare, anything else
   * as its string. A key-value pair named like a fixed field comes after it; JSON readers keep the last.
   */
  static String asJson(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(512);
    line.append("{\"time\":\"");
    Timestamps.appendMillis(line, event.getTimeStamp());
    line.append('"');
    field(line, "level", event.getLevel().toString());
    field(line, "logger", event.getLoggerName());
    field(line, "thread", event.getThreadName());
    field(line, "message", event.getFormattedMessage());
    if (event instanceof StructuredEvent structured) {
      structured.forEachField((name, value) -> field(line, name, value));
    } else if (event.getKeyValuePairs() != null) {
      for (KeyValuePair kv : event.getKeyValuePairs()) {
        field(line, kv.key, kv.value);
      }
    }
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null) {
      field(line, "error", error.getClassName());
      field(line, "errorMessage", error.getMessage());
      field(line, "stack", stack(error));
    }
    return line.append("}\n").toString();
  }

  private static void field(StringBuilder line, String name, Object value) {
    line.append(',');
    Json.string(line, name);
    line.append(':');
    if (value == null) {
      line.append("null");
    } else if (value instanceof Boolean || (value instanceof Number n && Double.isFinite(n.doubleValue()))) {
      line.append(value);
    } else {
      Json.string(line, value.toString());
    }
  }

  /**
   * One readable line: time, level, logger, message, then {@code name=value} per field. Messages and values carry
   * caller text (a subject, a content type), so they are escaped: no control character or line separator reaches
   * the line raw, a value with a space, '=' or '"' is quoted, and no caller can write what reads as a second line
   * or another field. Only the stack trace of an exception (the gateway's own code) takes further lines.
   */
  public static String asText(ILoggingEvent event) {
    StringBuilder out = new StringBuilder(512);
    Timestamps.appendMillis(out, event.getTimeStamp());
    out.append(' ').append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ");
    text(out, event.getFormattedMessage(), false);
    if (event instanceof StructuredEvent structured) {
      structured.forEachField((name, value) -> textField(out, name, value));
    } else if (event.getKeyValuePairs() != null) {
      for (KeyValuePair kv : event.getKeyValuePairs()) {
        textField(out, kv.key, kv.value);
      }
    }
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null) {
      out.append('\n').append(error.getClassName()).append(": ");
      text(out, String.valueOf(error.getMessage()), false);
      frames(out, error);
    }
    return out.append('\n').toString();
  }

  private static void textField(StringBuilder out, String name, Object value) {
    out.append(' ');
    text(out, name, false);
    out.append('=');
    String s = String.valueOf(value);
    boolean quote = s.isEmpty();
    for (int i = 0; i < s.length() && !quote; i++) {
      char c = s.charAt(i);
      quote = c == ' ' || c == '=' || c == '"';
    }
    text(out, s, quote);
  }

  /**
   * Appends {@code s} with control characters (C0, DEL, C1), U+2028/U+2029 and the backslash escaped Java style (a
   * backslash and n, r, t, or u and four hex digits; the backslash doubled, so every escape reads back one way);
   * when {@code quoted}, inside quotes with the quote escaped too. Text that needs none of it (nearly all) is
   * appended as it is.
   */
  static void text(StringBuilder out, String s, boolean quoted) {
    int first = firstToEscape(s, quoted);
    if (first < 0) {
      if (quoted) {
        out.append('"').append(s).append('"');
      } else {
        out.append(s);
      }
      return;
    }
    if (quoted) {
      out.append('"');
    }
    out.append(s, 0, first);
    for (int i = first; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\\' -> out.append("\\\\");
        case '"' -> out.append(quoted ? "\\\"" : "\"");
        default -> {
          if (isControl(c)) {
            out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    if (quoted) {
      out.append('"');
    }
  }

  /** Index of the first character {@link #text} must escape (a quote only when {@code quoted}), or -1. */
  private static int firstToEscape(String s, boolean quoted) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        if (c == '\\' || (quoted && c == '"')) {
          return i;
        }
      } else if (isControl(c)) {
        return i;
      }
    }
    return -1;
  }

  /** What a terminal or a log shipper may act on: C0, DEL, C1, and the Unicode line and paragraph separators. */
  private static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }

  private static String stack(IThrowableProxy error) {
    StringBuilder out = new StringBuilder(error.getClassName()).append(": ").append(error.getMessage());
    frames(out, error);
    return out.toString();
  }

  private static void frames(StringBuilder out, IThrowableProxy error) {
    for (StackTraceElementProxy frame : error.getStackTraceElementProxyArray()) {
      out.append("\n\tat ").append(frame.getSTEAsString());
    }
  }
}
