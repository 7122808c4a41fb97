package dev.presign.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopLagTest {
  final GatewayMetrics metrics = new GatewayMetrics(GatewayMetrics.newRegistry());
  final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  EventLoopLag lag;

  @AfterEach
  void stop() {
    lag.stop();
    vertx.close().await();
  }

  @Test
  void a_loop_kept_busy_shows_as_lag_of_at_least_the_time_it_was_busy() throws Exception {
    lag = new EventLoopLag(metrics).start(((VertxInternal) vertx).nettyEventLoopGroup());
    Timer timer = metrics.registry().get("presign.event.loop.lag").timer();
    awaitSamples(timer, 4); // both loops sample

    // Busy work on one loop (as a slow handler would be): its sampling task runs that much later.
    vertx.getOrCreateContext().runOnContext(v -> {
      long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
    });
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (timer.max(TimeUnit.MILLISECONDS) < 200 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(timer.max(TimeUnit.MILLISECONDS)).as("largest lag recorded, ms").isGreaterThanOrEqualTo(200);
    assertThat(metrics.registry().get("presign.event.loop.lag").timer().count()).isGreaterThan(4);
  }

  @Test
  void stopped_sampling_records_nothing_more() throws Exception {
    lag = new EventLoopLag(metrics).start(((VertxInternal) vertx).nettyEventLoopGroup());
    Timer timer = metrics.registry().get("presign.event.loop.lag").timer();
    awaitSamples(timer, 2);
    lag.stop();
    Thread.sleep(3 * EventLoopLag.INTERVAL_MILLIS); // each loop's pending sample runs once more at most
    long after = timer.count();
    Thread.sleep(3 * EventLoopLag.INTERVAL_MILLIS);
    assertThat(timer.count()).isEqualTo(after);
  }

  static void awaitSamples(Timer timer, long samples) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (timer.count() < samples && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(timer.count()).isGreaterThanOrEqualTo(samples);
  }
}
