package dev.presign.gateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes log events to stdout from its own thread, in batches. A logging thread (an event loop) only enqueues:
 * a lock-free offer, no lock, no wake-up of the writer (logback's AsyncAppender signals its worker on every event:
 * a futex call and a context switch per request line). The writer wakes every {@code flushIntervalMillis}, or at
 * once for a WARN or ERROR, encodes everything queued and writes it with one flush. When {@code queueSize} events
 * are waiting (stdout stalled), further events are dropped and counted ({@link #dropped()}), never waited for.
 */
public final class BatchingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  private static final LongAdder DROPPED = new LongAdder();

  private final ConcurrentLinkedQueue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private Encoder<ILoggingEvent> encoder;
  private int queueSize = 8192;
  private long flushIntervalMillis = 20;
  private OutputStream out;
  private volatile boolean stopping;
  private Thread writer;

  /** Events dropped because the queue was full, by every instance since start. */
  public static long dropped() {
    return DROPPED.sum();
  }

  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  public void setFlushIntervalMillis(long flushIntervalMillis) {
    this.flushIntervalMillis = flushIntervalMillis;
  }

  /** Where lines go instead of stdout (tests). */
  void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("no encoder for appender " + name);
      return;
    }
    if (queueSize < 1 || flushIntervalMillis < 1) {
      addError("queueSize and flushIntervalMillis must be positive");
      return;
    }
    if (out == null) {
      // Whatever System.out is when a batch is written (as logback's console appender does); it flushes, one
      // write call, on every write it is given: it gets one per batch.
      out = new OutputStream() {
        @Override
        public void write(int b) {
          System.out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          System.out.write(b, off, len);
        }

        @Override
        public void flush() {
          System.out.flush();
        }
      };
    }
    out = new BufferedOutputStream(out, 64 * 1024);
    stopping = false;
    writer = new Thread(this::run, "log-writer");
    writer.setDaemon(true);
    super.start();
    writer.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (queued.incrementAndGet() > queueSize) {
      queued.decrementAndGet();
      DROPPED.increment();
      return;
    }
    // Thread name, formatted message and key-value pairs are captured now, on the logging thread.
    event.prepareForDeferredProcessing();
    queue.offer(event);
    if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
      LockSupport.unpark(writer);
    }
  }

  private void run() {
    while (!stopping) {
      if (drain() == 0) {
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(flushIntervalMillis));
      }
    }
    drain();
  }

  /** Writes every queued event, then flushes once; returns how many were written. */
  private int drain() {
    int written = 0;
    ILoggingEvent event;
    while ((event = queue.poll()) != null) {
      queued.decrementAndGet();
      try {
        out.write(encoder.encode(event));
      } catch (IOException | RuntimeException e) {
        addError("could not write a log event", e);
      }
      written++;
    }
    if (written > 0) {
      try {
        out.flush();
      } catch (IOException e) {
        addError("could not flush the log", e);
      }
    }
    return written;
  }

  /** Stops taking events, writes what is queued (waiting at most 5 s for the writer) and flushes. */
  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    stopping = true;
    LockSupport.unpark(writer);
    try {
      writer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
