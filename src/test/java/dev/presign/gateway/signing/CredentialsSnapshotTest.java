package dev.presign.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/**
 * The snapshot on its own, without a gateway: what it holds, when it asks the chain again (on a test clock), and
 * that it keeps asking after a success, retries after a failure and stops once closed.
 */
class CredentialsSnapshotTest {
  private final Vertx vertx = Vertx.vertx();
  private final CredentialsFaultTest.TestClock clock = new CredentialsFaultTest.TestClock();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicReference<Supplier<AwsCredentials>> chain =
      new AtomicReference<>(() -> AwsBasicCredentials.create("AKIALONGLIVED", "secret"));

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private CredentialsSnapshot snapshot(Duration refreshInterval) {
    return new CredentialsSnapshot(vertx, () -> {
      calls.incrementAndGet();
      return chain.get().get();
    }, refreshInterval, clock);
  }

  private CredentialsSnapshot holding(Duration refreshInterval, Duration expiresIn) {
    CredentialsSnapshot snapshot = snapshot(refreshInterval);
    Instant expiry = clock.instant().plus(expiresIn);
    chain.set(() -> CredentialsFaultTest.session(expiry));
    snapshot.refresh().await();
    return snapshot;
  }

  @Test
  void holds_nothing_before_the_first_resolve_then_the_chains_credentials_and_their_expiry() {
    CredentialsSnapshot snapshot = snapshot(Duration.ofHours(1));
    assertThat(snapshot.expiration()).isEmpty();
    assertThat(snapshot.isUsable()).isFalse();
    assertThatThrownBy(snapshot::resolveCredentials).isInstanceOf(CredentialsSnapshot.CredentialsUnavailableException.class);

    snapshot.refresh().await();
    assertThat(snapshot.resolveCredentials().accessKeyId()).isEqualTo("AKIALONGLIVED");
    assertThat(snapshot.expiration()).as("long-lived keys never expire").isEmpty();

    Instant expiry = clock.instant().plus(Duration.ofMinutes(30));
    chain.set(() -> CredentialsFaultTest.session(expiry));
    snapshot.refresh().await();
    assertThat(snapshot.expiration()).contains(expiry);
    assertThat(snapshot.resolveCredentials().accessKeyId()).isEqualTo("ASIAFAULT");
  }

  @Test
  void the_next_refresh_comes_at_the_interval_or_ahead_of_expiry_but_never_sooner_than_the_retry_delay() {
    CredentialsSnapshot longLived = snapshot(Duration.ofHours(1));
    longLived.refresh().await();
    assertThat(longLived.nextDelay()).isEqualTo(Duration.ofHours(1));

    Duration hour = Duration.ofHours(1);
    assertThat(holding(hour, Duration.ofHours(2)).nextDelay()).as("expiry far off").isEqualTo(hour);
    assertThat(holding(hour, Duration.ofMinutes(30)).nextDelay()).as("5 minutes before expiry")
        .isEqualTo(Duration.ofMinutes(25));
    assertThat(holding(hour, Duration.ofMinutes(5).plusSeconds(3)).nextDelay()).as("not sooner than the retry delay")
        .isEqualTo(CredentialsSnapshot.RETRY_AFTER_FAILURE);
    assertThat(holding(hour, Duration.ofMinutes(1)).nextDelay()).as("already inside the refresh-ahead window")
        .isEqualTo(Duration.ofSeconds(10));
    // An interval shorter than the retry delay is the retry delay too.
    Duration twoSeconds = Duration.ofSeconds(2);
    assertThat(holding(twoSeconds, Duration.ofMinutes(5).plusSeconds(1)).nextDelay()).isEqualTo(twoSeconds);
    assertThat(holding(twoSeconds, Duration.ofMinutes(1)).retryDelay()).isEqualTo(twoSeconds);
    assertThat(holding(hour, Duration.ofMinutes(1)).retryDelay()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void keeps_refreshing_after_each_success() throws InterruptedException {
    CredentialsSnapshot snapshot = snapshot(Duration.ofMillis(50));
    snapshot.start().await();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (calls.get() < 5 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    snapshot.close();
    assertThat(calls.get()).as("chain calls").isGreaterThanOrEqualTo(5);
  }

  @Test
  void retries_a_failed_refresh_keeps_the_last_snapshot_and_stops_once_closed() throws InterruptedException {
    CredentialsSnapshot snapshot = snapshot(Duration.ofMillis(50));
    snapshot.start().await();
    chain.set(() -> {
      throw new IllegalStateException("STS unreachable");
    });
    int before = calls.get();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (calls.get() < before + 3 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(calls.get()).as("failed refreshes retried").isGreaterThanOrEqualTo(before + 3);
    assertThat(snapshot.resolveCredentials().accessKeyId()).isEqualTo("AKIALONGLIVED");

    // Closed while a failing refresh is in flight: that refresh ends, and no other starts.
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    chain.set(() -> {
      entered.countDown();
      try {
        release.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("STS unreachable");
    });
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
    snapshot.close();
    int atClose = calls.get();
    release.countDown();
    Thread.sleep(400); // eight retry delays
    assertThat(calls.get()).as("chain calls after close").isEqualTo(atClose);
  }
}
