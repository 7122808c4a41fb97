package dev.presign.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import dev.presign.gateway.auth.KeySource;
import dev.presign.gateway.auth.LocalSigner;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.http.ApiVerticle;
import dev.presign.gateway.http.EdgeLimiter;
import dev.presign.gateway.http.RateLimiter;
import dev.presign.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Readiness after a warm request path. A cold JVM interprets the request path for its first thousands of requests
 * and compiles it meanwhile: a pod taking traffic at once answered its first seconds with a p99 near a second. So,
 * before the gateway reports ready, it sends itself {@link LoopbackTraffic}'s rounds over 127.0.0.1, bounded by a
 * request count and a hard time limit (WARM_UP_REQUESTS, WARM_UP_MAX_MS), and then turns ready whatever happened.
 *
 * <p>The requests take the real path (the JVM's compiled code is shared by every server in it): the same API
 * verticle, endpoint table, pipeline, token verifier, key policy, URL signer and JSON answers, on the same HTTP
 * stack, with the configured algorithms. But they go to a server of their own, on a Vertx of their own, which lives
 * only during the warm-up:
 * <ul>
 *   <li>its tokens are signed with keys made for it ({@link LocalSigner}, one per algorithm of the loaded keys),
 *   which only its own verifier holds: the API port never accepts them, and they are gone when the warm-up ends;</li>
 *   <li>its requests are counted in a registry of their own, dropped afterwards: the gateway's request metrics
 *   (and the latency SLO read from them) and rate limits never see them;</li>
 *   <li>its audit events are not written: they are about nobody, and would be thousands of lines a start.</li>
 * </ul>
 * One log line and {@code presign_warmup_duration_seconds} say how it went. It never calls S3.
 */
final class WarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
  /** Subject of every warm-up token (only the warm-up's own verifier ever sees one). */
  static final String SUBJECT_PREFIX = "presign-gateway-warm-up-";
  private static final AtomicInteger RUNS = new AtomicInteger();

  /**
   * What the warm-up did: requests sent, time taken, answers by status, and what ended it: "requests" (all sent),
   * "time limit", "stop" (the gateway stopping it: shutdown, or its hard limit) or "failure" (logged).
   */
  record Result(int requests, long millis, Map<Integer, Integer> statuses, String stoppedBy) {}

  private final GatewayConfig config;
  private final ApiVerticle.Deps real;
  private final List<JsonObject> realKeys;
  private final Clock clock;
  private volatile boolean stop;
  private volatile Vertx vertx;

  /** {@code real}: what the gateway's own API verticles were given; {@code realKeys}: the verification keys loaded. */
  WarmUp(GatewayConfig config, ApiVerticle.Deps real, List<JsonObject> realKeys, Clock clock) {
    this.config = config;
    this.real = real;
    this.realKeys = realKeys;
    this.clock = clock;
  }

  /**
   * Runs the warm-up; completes (never fails) when it has ended. Blocks its thread: run it on a worker or a thread
   * of its own, never on an event loop.
   */
  Result run() {
    long start = System.nanoTime();
    long deadline = start + config.warmUp().maxTime().toNanos();
    PrometheusMeterRegistry registry = GatewayMetrics.newRequestRegistry();
    AtomicInteger port = new AtomicInteger();
    // A registry name of its own: under the default one, vertx-micrometer would count these requests in the
    // gateway's registry (Gateway.newVertx).
    Vertx own = Gateway.newVertx(new VertxOptions().setEventLoopPoolSize(config.http().instances()), registry,
        "presign-warm-up-" + RUNS.incrementAndGet());
    vertx = own;
    TurboFilter noAudit = new AuditOf(own);
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    logging.addTurboFilter(noAudit);
    String stoppedBy = "requests";
    int requests = 0;
    Map<Integer, Integer> statuses = Map.of();
    try {
      List<LocalSigner> signers = new ArrayList<>();
      for (String alg : LocalSigner.algorithmsOf(realKeys)) {
        signers.add(new LocalSigner(alg, "warm-up"));
      }
      List<JsonObject> secrets = signers.stream().filter(s -> s.alg().startsWith("HS")).map(LocalSigner::jwk).toList();
      List<JsonObject> publics = signers.stream().filter(s -> !s.alg().startsWith("HS")).map(LocalSigner::jwk).toList();
      KeySource keys = new KeySource(own, config.jwt(), secrets, publics, null);
      keys.start().await();
      GatewayMetrics metrics = new GatewayMetrics(registry);
      // The same limits' code, enabled where the gateway's are, with room for every warm-up request.
      RateLimiter limiter = new RateLimiter(config.http().rateLimitPerSecond() > 0 ? 1e6 : 0, 1_000_000,
          System::nanoTime);
      GatewayConfig.Edge edge = config.edge();
      EdgeLimiter edgeLimiter = EdgeLimiter.of(new GatewayConfig.Edge(edge.perSecond() > 0 ? 1e6 : 0, 1_000_000,
          edge.clientIpHeader()), Counter.builder("presign.edge.limited").register(registry));
      GatewayConfig loopback = new GatewayConfig(config.http().onLoopback(), config.jwt(), config.s3(),
          config.uploads(), config.devMode(), config.edge(), config.s3Api(), config.warmUp());
      ApiVerticle.Deps deps = new ApiVerticle.Deps(loopback, keys, real.policy(), real.signer(), null, metrics,
          limiter, edgeLimiter, clock, port::set, real.s3());
      own.deployVerticle(() -> new ApiVerticle(deps), new DeploymentOptions().setInstances(config.http().instances()))
          .await();
      String template = config.uploads().prefixTemplate();
      AtomicInteger next = new AtomicInteger();
      try (LoopbackTraffic traffic = new LoopbackTraffic(own, port.get(),
          sub -> signers.get(next.getAndIncrement() % signers.size()).sign(claims(SUBJECT_PREFIX + sub)),
          sub -> template.replace("{sub}", SUBJECT_PREFIX + sub), contentType(config.uploads().allowedContentTypes()),
          config.http().corsOrigins().isEmpty() ? null : config.http().corsOrigins().get(0))) {
        for (int round = 0; traffic.requests() < config.warmUp().requests(); round++) {
          if (stop || System.nanoTime() - deadline >= 0) {
            stoppedBy = stop ? "stop" : "time limit";
            break;
          }
          traffic.round(round);
        }
        requests = traffic.requests();
        statuses = traffic.statuses();
      }
    } catch (Exception e) {
      if (!stop) {
        LOG.warn("readiness warm-up failed, ready without it: {}", String.valueOf(e));
      }
      stoppedBy = stop ? "stop" : "failure";
    } finally {
      logging.getTurboFilterList().remove(noAudit);
      own.close();
      registry.close();
    }
    return new Result(requests, (System.nanoTime() - start) / 1_000_000, statuses, stoppedBy);
  }

  /** Ends a running warm-up at once (its requests fail, its server closes); {@link #run} then returns. */
  void stop() {
    stop = true;
    Vertx own = vertx;
    if (own != null) {
      own.close();
    }
  }

  private JsonObject claims(String sub) {
    long now = clock.millis() / 1000;
    return new JsonObject().put("iss", config.jwt().issuer()).put("aud", config.jwt().audiences().get(0))
        .put("sub", sub).put("iat", now).put("exp", now + 600);
  }

  /** A content type the gateway allows: application/octet-stream if it may, else its first entry made concrete. */
  static String contentType(List<String> allowed) {
    if (allowed.contains("application/octet-stream") || allowed.isEmpty()) {
      return "application/octet-stream";
    }
    return allowed.get(0).replace("/*", "/x-warm-up");
  }

  /** Drops audit events logged on the warm-up's own Vertx: nothing else of the process is touched. */
  private static final class AuditOf extends TurboFilter {
    private final Vertx vertx;

    AuditOf(Vertx vertx) {
      this.vertx = vertx;
      start();
    }

    @Override
    public FilterReply decide(Marker marker, ch.qos.logback.classic.Logger logger, Level level, String format,
                              Object[] params, Throwable t) {
      if (!logger.getName().equals("audit")) {
        return FilterReply.NEUTRAL;
      }
      Context context = Vertx.currentContext();
      return context != null && context.owner() == vertx ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
  }
}
