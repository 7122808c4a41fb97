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

  private static String asText(ILoggingEvent event) {
    StringBuilder out = new StringBuilder(512);
    Timestamps.appendMillis(out, event.getTimeStamp());
    out.append(' ').append(event.getLevel()).append(' ')
        .append(event.getLoggerName()).append(" - ").append(event.getFormattedMessage());
    if (event instanceof StructuredEvent structured) {
      structured.forEachField((name, value) -> out.append(' ').append(name).append('=').append(value));
    } else if (event.getKeyValuePairs() != null) {
      for (KeyValuePair kv : event.getKeyValuePairs()) {
        out.append(' ').append(kv.key).append('=').append(kv.value);
      }
    }
    if (event.getThrowableProxy() != null) {
      out.append('\n').append(stack(event.getThrowableProxy()));
    }
    return out.append('\n').toString();
  }

  private static String stack(IThrowableProxy error) {
    StringBuilder out = new StringBuilder(error.getClassName()).append(": ").append(error.getMessage());
    for (StackTraceElementProxy frame : error.getStackTraceElementProxyArray()) {
      out.append("\n\tat ").append(frame.getSTEAsString());
    }
    return out.toString();
  }
}
