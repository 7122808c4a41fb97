package dev.presign.gateway.metrics;

import io.micrometer.core.instrument.Timer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * How late each event loop runs a task it scheduled for itself: every {@link #INTERVAL_MILLIS} a task on each loop
 * records {@code now - (when it was due)} in {@code presign_event_loop_lag_seconds} and schedules the next one. A
 * loop busy with work (or starved of CPU: throttling, GC) runs it late by the time its queue took; nothing waits and
 * nothing blocks. The main saturation signal of a Vert.x service: requests queue on their loop exactly this long.
 */
public final class EventLoopLag {
  /** Ten samples a second per loop: a lag of a few milliseconds shows, at no measurable cost. */
  static final long INTERVAL_MILLIS = 100;

  private final Timer lag;
  private volatile boolean stopped;

  public EventLoopLag(GatewayMetrics metrics) {
    this.lag = metrics.timer("presign.event.loop.lag",
        "How late an event loop ran a task scheduled on it (sampled every 100 ms on every loop)");
  }

  /** Starts sampling every loop of {@code loops} (Vert.x's event loop group). */
  public EventLoopLag start(EventLoopGroup loops) {
    for (EventExecutor loop : loops) {
      schedule(loop);
    }
    return this;
  }

  private void schedule(EventExecutor loop) {
    if (stopped) {
      return;
    }
    long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
    loop.schedule(() -> {
      lag.record(Math.max(0, System.nanoTime() - due), TimeUnit.NANOSECONDS);
      schedule(loop);
    }, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** No further samples: each loop's pending task runs once more (within 100 ms) and schedules none. */
  public void stop() {
    stopped = true;
  }
}
