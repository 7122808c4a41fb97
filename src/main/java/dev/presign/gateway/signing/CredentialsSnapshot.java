package dev.presign.gateway.signing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * The credentials that sign URLs, resolved by the AWS default chain on a worker thread and kept as a volatile
 * snapshot, so an event loop reading them never waits on STS, IMDS or a file. Refreshed on a timer, early
 * enough that a snapshot is replaced well before it expires; a failed refresh keeps the last good snapshot.
 */
public final class CredentialsSnapshot implements AwsCredentialsProvider {
  private static final Logger LOG = LoggerFactory.getLogger(CredentialsSnapshot.class);
  /** Refresh this long before expiry, as the SDK's own providers do (STS sessions are usually 1 h). */
  static final Duration REFRESH_AHEAD = Duration.ofMinutes(5);
  static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(10);
  /** Readiness turns false this long before expiry, before presigns start failing (at {@code UrlSigner}'s 30 s). */
  static final Duration READY_MARGIN = Duration.ofSeconds(60);

  private final Vertx vertx;
  private final AwsCredentialsProvider chain;
  private final Duration refreshInterval;
  private final Clock clock;
  private volatile AwsCredentials current;
  private volatile long timerId = -1;
  private volatile boolean closed;

  public CredentialsSnapshot(Vertx vertx, AwsCredentialsProvider chain, Duration refreshInterval, Clock clock) {
    this.vertx = vertx;
    this.chain = chain;
    this.refreshInterval = refreshInterval;
    this.clock = clock;
  }

  /** Resolves once on a worker; fails if the chain finds no credentials. Then keeps refreshing. */
  public Future<Void> start() {
    return refresh().onSuccess(v -> scheduleNext());
  }

  Future<Void> refresh() {
    return vertx.executeBlocking(chain::resolveCredentials, false)
        .onSuccess(c -> current = c)
        .onFailure(e -> LOG.warn("credentials refresh failed: {}", e.getClass().getSimpleName() + ": " + e.getMessage()))
        .mapEmpty();
  }

  private void scheduleNext() {
    if (closed) {
      return;
    }
    timerId = vertx.setTimer(nextDelay().toMillis(), id -> refresh().onComplete(ar -> {
      if (ar.failed() && !closed) {
        timerId = vertx.setTimer(retryDelay().toMillis(), id2 -> refresh().onComplete(x -> scheduleNext()));
      } else {
        scheduleNext();
      }
    }));
  }

  /**
   * The wait before the next refresh: the configured interval, or less so that credentials are replaced
   * {@link #REFRESH_AHEAD} of their expiry, but never less than the retry delay.
   */
  Duration nextDelay() {
    Duration delay = refreshInterval;
    Optional<Instant> expiry = expiration();
    if (expiry.isPresent()) {
      Duration untilRefresh = Duration.between(clock.instant(), expiry.get()).minus(REFRESH_AHEAD);
      if (untilRefresh.compareTo(delay) < 0) {
        // Never spin: a chain that keeps returning nearly expired credentials is asked again after a pause.
        delay = untilRefresh.compareTo(retryDelay()) < 0 ? retryDelay() : untilRefresh;
      }
    }
    return delay;
  }

  Duration retryDelay() {
    return refreshInterval.compareTo(RETRY_AFTER_FAILURE) < 0 ? refreshInterval : RETRY_AFTER_FAILURE;
  }

  /** The snapshot, never blocking. Throws when there is none or it has expired. */
  @Override
  public AwsCredentials resolveCredentials() {
    AwsCredentials c = current;
    if (c == null) {
      throw new CredentialsUnavailableException("no AWS credentials loaded yet");
    }
    if (c.expirationTime().map(t -> !t.isAfter(clock.instant())).orElse(false)) {
      throw new CredentialsUnavailableException("AWS credentials expired and could not be refreshed");
    }
    return c;
  }

  /** When the snapshot's credentials expire; empty for long-lived keys. */
  public Optional<Instant> expiration() {
    AwsCredentials c = current;
    return c == null ? Optional.empty() : c.expirationTime();
  }

  /** Ready to sign: there are credentials and they are not within {@link #READY_MARGIN} of expiry. */
  public boolean isUsable() {
    AwsCredentials c = current;
    return c != null && c.expirationTime().map(t -> t.isAfter(clock.instant().plus(READY_MARGIN))).orElse(true);
  }

  public void close() {
    closed = true;
    vertx.cancelTimer(timerId);
  }

  /** Signing is impossible right now: answered as 503. */
  public static final class CredentialsUnavailableException extends RuntimeException {
    public CredentialsUnavailableException(String message) {
      super(message, null, false, false);
    }
  }
}
