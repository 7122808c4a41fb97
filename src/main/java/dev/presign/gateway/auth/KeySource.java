package dev.presign.gateway.auth;

import dev.presign.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import dev.presign.gateway.io.BoundedBody;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current verification keys: static ones from configuration, plus a JWKS fetched without blocking and
 * refreshed on the interval its Cache-Control max-age (or configuration) gives. A token with an unknown
 * {@code kid} may ask for an early refresh, granted at most once per throttle window. A failed or empty fetch
 * keeps the last good key set.
 */
public final class KeySource {
  private static final Logger LOG = LoggerFactory.getLogger(KeySource.class);
  private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*(\\d+)");
  static final int MAX_JWKS_BYTES = 512 * 1024;

  private final Vertx vertx;
  private final GatewayConfig.Jwt config;
  private final List<JsonObject> secretKeys;
  private final List<JsonObject> fileKeys;
  private final URI jwksUrl;
  private final HttpClient client;
  private final AtomicLong lastAttemptNanos = new AtomicLong();
  private final AtomicReference<Future<Boolean>> inFlight = new AtomicReference<>();
  private final AtomicLong fetches = new AtomicLong();
  private final AtomicLong refreshFailures = new AtomicLong();
  private final AtomicLong refreshSuccesses = new AtomicLong();
  private volatile KeyRing ring = KeyRing.EMPTY;
  private volatile long lastSuccessMillis;
  private volatile long timerId = -1;
  private volatile boolean closed;

  /** {@code secretKeys}: from JWT_HMAC_SECRET; {@code fileKeys}: from JWT_PUBLIC_KEY_FILE. */
  public KeySource(Vertx vertx, GatewayConfig.Jwt config, List<JsonObject> secretKeys, List<JsonObject> fileKeys,
                   URI jwksUrl) {
    this.vertx = vertx;
    this.config = config;
    this.secretKeys = List.copyOf(secretKeys);
    this.fileKeys = List.copyOf(fileKeys);
    this.jwksUrl = jwksUrl;
    this.client = jwksUrl == null ? null : vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout((int) config.jwksTimeout().toMillis())
        .setIdleTimeout((int) config.jwksTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setMaxRedirects(0));
  }

  /** Loads the first key set; fails when no usable key results (the gateway must then refuse to start). */
  public Future<Void> start() {
    if (jwksUrl == null) {
      ring = KeyRing.of(secretKeys, fileKeys, config.algorithms(), 1);
      lastSuccessMillis = System.currentTimeMillis();
      return ring.isEmpty() ? Future.failedFuture(noKeys()) : Future.succeededFuture();
    }
    lastAttemptNanos.set(System.nanoTime());
    return fetch().compose(delay -> {
      if (ring.isEmpty()) {
        return Future.failedFuture(noKeys());
      }
      schedule(delay);
      return Future.succeededFuture();
    });
  }

  private IllegalStateException noKeys() {
    return new IllegalStateException("no usable JWT verification key for algorithms " + config.algorithms()
        + (jwksUrl == null ? "" : " (JWKS " + jwksUrl + ")"));
  }

  public KeyRing current() {
    return ring;
  }

  /** How many JWKS fetches were sent, for tests and metrics. */
  public long fetchCount() {
    return fetches.get();
  }

  /** Wall-clock millis of the last good load (start, or a JWKS fetch). */
  public long lastSuccessMillis() {
    return lastSuccessMillis;
  }

  public boolean fetchesJwks() {
    return jwksUrl != null;
  }

  public long refreshSuccesses() {
    return refreshSuccesses.get();
  }

  public long refreshFailures() {
    return refreshFailures.get();
  }

  /**
   * Asks for a refresh because a token named a kid we do not hold. Completes with true when a fetch ran and
   * the key set changed; false at once when no JWKS is configured or the throttle window has not passed.
   */
  public Future<Boolean> refreshForUnknownKid() {
    if (jwksUrl == null || closed) {
      return Future.succeededFuture(false);
    }
    Future<Boolean> running = inFlight.get();
    if (running != null) {
      return running;
    }
    long now = System.nanoTime();
    long last = lastAttemptNanos.get();
    if (now - last < config.jwksMinRefresh().toNanos() || !lastAttemptNanos.compareAndSet(last, now)) {
      return Future.succeededFuture(false);
    }
    long before = ring.version();
    Promise<Boolean> promise = Promise.promise();
    inFlight.set(promise.future());
    fetch().onComplete(ar -> {
      inFlight.set(null);
      promise.complete(ring.version() != before);
    });
    return promise.future();
  }

  /** Fetches and installs the JWKS; completes (never fails) with the delay before the next scheduled fetch. */
  private Future<Duration> fetch() {
    fetches.incrementAndGet();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(jwksUrl.toString())
        .putHeader("Accept", "application/json").setIdleTimeout(config.jwksTimeout().toMillis());
    return client.request(options)
        .compose(req -> req.send())
        .compose(resp -> {
          if (resp.statusCode() != 200) {
            return Future.failedFuture("JWKS answered HTTP " + resp.statusCode());
          }
          Duration next = maxAge(resp.getHeader("Cache-Control"));
          // Key parsing (and its first-time class loading) runs on a worker, never on an event loop.
          return BoundedBody.read(resp, MAX_JWKS_BYTES, () -> resp.request().reset())
              .compose(body -> vertx.executeBlocking(() -> parse(body.toJsonObject()), false))
              .map(fresh -> {
                install(fresh);
                refreshSuccesses.incrementAndGet();
                return next;
              });
        })
        .recover(e -> {
          refreshFailures.incrementAndGet();
          LOG.warn("JWKS refresh from {} failed, keeping {} key(s): {}", jwksUrl, ring.keys().size(), e.getMessage());
          return Future.succeededFuture(config.jwksMinRefresh());
        });
  }

  private KeyRing parse(JsonObject jwks) {
    JsonArray keys = jwks.getJsonArray("keys");
    if (keys == null) {
      throw new IllegalArgumentException("JWKS has no 'keys' array");
    }
    List<JsonObject> published = new ArrayList<>(fileKeys);
    keys.forEach(k -> {
      if (k instanceof JsonObject jwk) {
        published.add(jwk);
      }
    });
    KeyRing fresh = KeyRing.of(secretKeys, published, config.algorithms(), ring.version() + 1);
    if (fresh.isEmpty()) {
      throw new IllegalArgumentException("JWKS holds no usable key");
    }
    return fresh;
  }

  private void install(KeyRing fresh) {
    lastSuccessMillis = System.currentTimeMillis();
    if (!fresh.keys().equals(ring.keys())) {
      ring = fresh;
      LOG.info("JWKS loaded: {} usable key(s), kids {}", fresh.keys().size(), fresh.kids());
    }
  }

  /** The wait before the next scheduled fetch that a JWKS answer's Cache-Control asks for, within bounds. */
  Duration maxAge(String cacheControl) {
    if (cacheControl != null) {
      Matcher m = MAX_AGE.matcher(cacheControl);
      if (m.find() && m.group(1).length() < 9) {
        Duration d = Duration.ofSeconds(Long.parseLong(m.group(1)));
        Duration min = config.jwksMinRefresh();
        Duration max = Duration.ofDays(1);
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
      }
    }
    return config.jwksRefresh();
  }

  private void schedule(Duration delay) {
    if (closed) {
      return;
    }
    timerId = vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
      lastAttemptNanos.set(System.nanoTime());
      fetch().onComplete(ar -> schedule(ar.result()));
    });
  }

  public void close() {
    closed = true;
    vertx.cancelTimer(timerId);
    if (client != null) {
      client.close();
    }
  }
}
