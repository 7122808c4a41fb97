package dev.presign.gateway.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class BatchingAppenderTest {
  private final LoggerContext context = new LoggerContext();
  private final Logger logger = context.getLogger("audit");

  BatchingAppenderTest() {
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
  }

  @Test
  void events_are_written_in_order_as_one_json_object_per_line_and_stop_writes_what_is_queued() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BatchingAppender appender = appender(out, 1000, 10_000); // the writer would sleep 10 s: only stop() can write
    for (int i = 0; i < 500; i++) {
      appender.doAppend(event(Level.INFO, "presign ok", i));
    }
    appender.stop();

    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(500);
    for (int i = 0; i < 500; i++) {
      JsonObject line = new JsonObject(lines.get(i));
      assertThat(line.getInteger("n")).isEqualTo(i);
      assertThat(line.getString("message")).isEqualTo("presign ok");
      assertThat(line.getString("subject")).isEqualTo("al\"ice\n\u2028");
      assertThat(line.getString("level")).isEqualTo("INFO");
      assertThat(line.getString("time")).endsWith("Z");
    }
  }

  @Test
  void a_full_queue_drops_and_counts_instead_of_waiting() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    OutputStream stalled = new OutputStream() { // stdout that does not take anything until released
      @Override
      public void write(int b) {
        await(release);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        await(release);
      }
    };
    BatchingAppender appender = appender(stalled, 10, 1);
    long droppedBefore = BatchingAppender.dropped();
    long start = System.nanoTime();
    for (int i = 0; i < 5_000; i++) {
      appender.doAppend(event(Level.INFO, "presign ok", i));
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    // At most the queue (10) plus the batch the writer holds (its 64 KiB buffer) are kept; the rest is dropped.
    assertThat(BatchingAppender.dropped() - droppedBefore).isGreaterThan(4_000);
    assertThat(tookMillis).as("appending never waited on the stalled output").isLessThan(5_000);
    release.countDown();
    appender.stop();
  }

  @Test
  void a_warning_is_written_without_waiting_for_the_next_batch() throws Exception {
    CountDownLatch written = new CountDownLatch(1);
    ByteArrayOutputStream sink = new ByteArrayOutputStream() {
      @Override
      public synchronized void flush() {
        written.countDown();
      }
    };
    BatchingAppender appender = appender(sink, 100, 60_000);
    Thread.sleep(50); // the writer is now parked for a minute
    appender.doAppend(event(Level.WARN, "JWKS refresh failed", 1));
    assertThat(written.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(sink.toString(StandardCharsets.UTF_8)).contains("JWKS refresh failed");
    appender.stop();
  }

  private BatchingAppender appender(OutputStream out, int queueSize, long flushMillis) {
    LayoutWrappingEncoder<ch.qos.logback.classic.spi.ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    JsonLayout layout = new JsonLayout();
    layout.setContext(context);
    layout.start();
    encoder.setLayout(layout);
    encoder.start();
    BatchingAppender appender = new BatchingAppender();
    appender.setContext(context);
    appender.setEncoder(encoder);
    appender.setQueueSize(queueSize);
    appender.setFlushIntervalMillis(flushMillis);
    appender.setOutputStream(out);
    appender.start();
    assertThat(appender.isStarted()).isTrue();
    return appender;
  }

  private LoggingEvent event(Level level, String message, int n) {
    LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, level, message, null, null);
    event.addKeyValuePair(new KeyValuePair("n", n));
    event.addKeyValuePair(new KeyValuePair("subject", "al\"ice\n\u2028"));
    return event;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
