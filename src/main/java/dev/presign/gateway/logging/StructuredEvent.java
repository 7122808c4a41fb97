package dev.presign.gateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * A log event that is only a message and key-value fields, built for a line written once per request: one object
 * and one array on the logging thread, handed straight to the logger's appenders. slf4j's fluent builder and
 * logback's own event cost several objects per field, a copy of the MDC and a clock read through {@code Instant}
 * for the same line. Immutable from construction, so deferred processing has nothing to do.
 */
public final class StructuredEvent implements ILoggingEvent {
  private static final StackTraceElement[] NO_CALLER_DATA = {};

  private final Logger logger;
  private final Level level;
  private final String message;
  private final String threadName;
  private final long timeStamp;
  /** name, value, name, value, …; a pair whose value is null is left out. */
  private final Object[] fields;

  private StructuredEvent(Logger logger, Level level, String message, Object[] fields) {
    this.logger = logger;
    this.level = level;
    this.message = message;
    this.threadName = Thread.currentThread().getName();
    this.timeStamp = System.currentTimeMillis();
    this.fields = fields;
  }

  /**
   * Logs {@code message} with {@code fields} (name, value, …) at INFO on {@code logger}, if that logger takes
   * INFO: through the same appenders as any other event of that logger.
   */
  public static void info(Logger logger, String message, Object... fields) {
    if (logger.isInfoEnabled()) {
      logger.callAppenders(new StructuredEvent(logger, Level.INFO, message, fields));
    }
  }

  /** Calls {@code field} for each field with a value, in order; no list is built. */
  public void forEachField(java.util.function.BiConsumer<String, Object> field) {
    for (int i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i + 1] != null) {
        field.accept((String) fields[i], fields[i + 1]);
      }
    }
  }

  @Override
  public List<KeyValuePair> getKeyValuePairs() {
    List<KeyValuePair> pairs = new ArrayList<>(fields.length / 2);
    forEachField((name, value) -> pairs.add(new KeyValuePair(name, value)));
    return pairs;
  }

  @Override
  public String getThreadName() {
    return threadName;
  }

  @Override
  public Level getLevel() {
    return level;
  }

  @Override
  public String getMessage() {
    return message;
  }

  @Override
  public Object[] getArgumentArray() {
    return null;
  }

  @Override
  public String getFormattedMessage() {
    return message;
  }

  @Override
  public String getLoggerName() {
    return logger.getName();
  }

  @Override
  public LoggerContextVO getLoggerContextVO() {
    return logger.getLoggerContext().getLoggerContextRemoteView();
  }

  @Override
  public IThrowableProxy getThrowableProxy() {
    return null;
  }

  @Override
  public StackTraceElement[] getCallerData() {
    return NO_CALLER_DATA;
  }

  @Override
  public boolean hasCallerData() {
    return false;
  }

  @Override
  public List<Marker> getMarkerList() {
    return null;
  }

  @Override
  public Map<String, String> getMDCPropertyMap() {
    return Collections.emptyMap();
  }

  @Override
  @SuppressWarnings("deprecation")
  public Map<String, String> getMdc() {
    return Collections.emptyMap();
  }

  @Override
  public long getTimeStamp() {
    return timeStamp;
  }

  @Override
  public int getNanoseconds() {
    return (int) (timeStamp % 1000) * 1_000_000;
  }

  @Override
  public long getSequenceNumber() {
    return 0;
  }

  @Override
  public void prepareForDeferredProcessing() {
    // immutable: nothing to capture later
  }
}
