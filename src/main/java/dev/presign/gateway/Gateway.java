package dev.presign.gateway;

import dev.presign.gateway.auth.KeySource;
import dev.presign.gateway.auth.StaticKeys;
import dev.presign.gateway.auth.TokenVerifier;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.dev.DevIssuer;
import dev.presign.gateway.http.ApiVerticle;
import dev.presign.gateway.http.EdgeLimiter;
import dev.presign.gateway.http.ManagementRoutes;
import dev.presign.gateway.http.RateLimiter;
import dev.presign.gateway.metrics.EventLoopLag;
import dev.presign.gateway.metrics.GatewayMetrics;
import dev.presign.gateway.metrics.NullSafeServerMetrics;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.s3.S3Api;
import dev.presign.gateway.signing.CredentialsSnapshot;
import dev.presign.gateway.signing.EarlyCredentials;
import dev.presign.gateway.signing.UrlSigner;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Builds and starts the whole gateway on a Vertx: management port first (so probes answer while it warms up),
 * then signing keys and credentials, loaded off the event loops, then the API verticles.
 */
public final class Gateway {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final GatewayConfig config;
  private final Clock clock;
  private final AwsCredentialsProvider chain;
  private final GatewayMetrics metrics;
  private final AtomicInteger apiPort = new AtomicInteger();
  private HttpServer management;
  private KeySource keys;
  private CredentialsSnapshot credentials;
  private UrlSigner signer;
  private S3Api s3Api;
  private DevIssuer devIssuer;
  private String deploymentId;
  private volatile boolean started;
  private volatile boolean draining;
  /** Completes when the readiness warm-up has ended (or at once without one): readiness waits for it. */
  private final Promise<WarmUp.Result> warmedUp = Promise.promise();
  private volatile WarmUp warmUp;
  private volatile double warmUpSeconds = Double.NaN;
  private volatile double startupSeconds = Double.NaN;
  /** When each step of the start ended, "step 0.52 s" in JVM uptime (logged once ready); no lock on the loop. */
  private final java.util.Queue<String> steps = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private long evictionTimer = -1;
  private EventLoopLag eventLoopLag;

  public Gateway(Vertx vertx, PrometheusMeterRegistry registry, GatewayConfig config, Clock clock,
                 AwsCredentialsProvider chain) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
    this.chain = chain;
    this.metrics = new GatewayMetrics(registry);
  }

  /**
   * A Vertx whose HTTP servers report to {@code registry}, labelled by route template, never by raw path. Pools
   * carry their type and name (two worker pools, a fixed set): without them both register the same unlabelled
   * {@code vertx.pool.*} meters, and Micrometer warns at every start that the second registration is ignored.
   */
  public static Vertx newVertx(VertxOptions options, PrometheusMeterRegistry registry) {
    return newVertx(options, registry, MicrometerMetricsOptions.DEFAULT_REGISTRY_NAME);
  }

  /**
   * The same, with its metrics under {@code registryName}. vertx-micrometer keeps
   * one registry per name for the whole JVM: a second Vertx under the same name would report to the first one's
   * registry, whatever registry it was given (and closing it would stop that one).
   */
  static Vertx newVertx(VertxOptions options, PrometheusMeterRegistry registry, String registryName) {
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setRegistryName(registryName)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
            Label.POOL_NAME)));
    options.setPreferNativeTransport(true);
    // Guarded: a connection taken as a server's port opens would otherwise lose its request (NullSafeServerMetrics).
    return Vertx.builder().with(options)
        .withMetrics(NullSafeServerMetrics.around(new MicrometerMetricsFactory(registry))).build();
  }

  /** Starts with the AWS default credentials chain. */
  public static Future<Gateway> start(Vertx vertx, PrometheusMeterRegistry registry, GatewayConfig config) {
    return new Gateway(vertx, registry, config, Clock.systemUTC(),
        EarlyCredentials.askDefaultChain()).start();
  }

  public Future<Gateway> start() {
    mark("gateway start");
    // Credentials and the URL signer do not wait for the management port and the keys: the chain's first answer
    // and the SDK presigner's classes take a few hundred ms of a start, on workers, beside the rest.
    credentials = new CredentialsSnapshot(vertx, chain, config.s3().credentialsRefresh(), clock);
    Future<Void> credentialsLoaded = credentials.start().recover(e -> Future.failedFuture(new IllegalStateException(
        "no AWS credentials from the default chain: " + e.getMessage(), e)));
    // Building the SDK presigner loads hundreds of classes: a worker's job, not an event loop's.
    Future<UrlSigner> signerBuilt = vertx.executeBlocking(() -> new UrlSigner(config.s3(),
        config.uploads().presignTtl(), credentials, clock), false);
    Future<DevIssuer> issuer = config.devMode()
        ? vertx.executeBlocking(() -> new DevIssuer(config.jwt(), clock))
        : Future.succeededFuture(null);
    return issuer
        .compose(i -> {
          devIssuer = i;
          return vertx.createHttpServer()
              .requestHandler(ManagementRoutes.create(vertx, this::notReadyReason, metrics, devIssuer))
              .listen(config.http().managementPort(), config.http().host());
        })
        .compose(server -> {
          management = server;
          mark("management port");
          eventLoopLag = new EventLoopLag(metrics).start(((VertxInternal) vertx).nettyEventLoopGroup());
          return fileKeys();
        })
        .compose(fileKeys -> {
          List<JsonObject> secretKeys = config.jwt().hmacSecret() == null ? List.of()
              : StaticKeys.fromSecret(config.jwt().hmacSecret(), config.jwt().algorithms());
          keys = new KeySource(vertx, config.jwt(), secretKeys, fileKeys, jwksUrl());
          registerGauges();
          return Future.all(keys.start(), credentialsLoaded, signerBuilt.map(built -> signer = built));
        })
        .compose(v -> {
          mark("keys, credentials and signer");
          // The S3 API client is built beside the rest and readiness does not wait for it (S3Api.startBuilding).
          s3Api = S3Api.startBuilding(config, credentials, metrics, task -> vertx.executeBlocking(() -> {
            task.run();
            return null;
          }, false));
          return vertx.executeBlocking(() -> {
            signer.warmUp();
            new TokenVerifier(vertx, keys, config.jwt(), clock).warmUp();
            return null;
          });
        })
        .compose(v -> {
          RateLimiter limiter = new RateLimiter(config.http().rateLimitPerSecond(), config.http().rateLimitBurst(),
              System::nanoTime);
          EdgeLimiter edge = EdgeLimiter.of(config.edge(), Counter.builder("presign.edge.limited")
              .description("Requests refused (429) by the per-client-address limit before a token verification")
              .register(metrics.registry()));
          List<RateLimiter> buckets = List.of(limiter, edge.buckets()).stream().filter(RateLimiter::enabled).toList();
          if (!buckets.isEmpty()) {
            // Forgetting idle subjects walks the whole map: a worker's job, once a minute, or within 5 s once the
            // table is full (new subjects then share one bucket until room is made).
            evictionTimer = vertx.setPeriodic(5_000, id -> {
              for (RateLimiter table : buckets) {
                if (table.evictionDue(System.nanoTime())) {
                  vertx.executeBlocking(() -> {
                    table.evictIdle(System.nanoTime());
                    return null;
                  }, false);
                }
              }
            });
          }
          ApiVerticle.Deps deps = new ApiVerticle.Deps(config, keys, new KeyPolicy(config.uploads()), signer,
              devIssuer, metrics, limiter, edge, clock, apiPort::set, s3Api);
          return vertx.deployVerticle(() -> new ApiVerticle(deps),
              new DeploymentOptions().setInstances(config.http().instances())).map(id -> {
                deploymentId = id;
                started = true;
                mark("API port");
                warmUp(deps);
                return this;
              });
        })
        .recover(e -> stop().transform(x -> Future.failedFuture(e)));
  }

  /**
   * Starts the readiness warm-up ({@link WarmUp}) on a thread of its own, or, with WARM_UP_REQUESTS=0, completes
   * {@link #warmedUp} at once. Whatever the warm-up does, readiness waits no longer than WARM_UP_MAX_MS (and a
   * second for the warm-up's server to close after a stop).
   */
  private void warmUp(ApiVerticle.Deps deps) {
    if (!config.warmUp().enabled()) {
      warmed(null);
      LOG.info("ready {} after the JVM started ({}; no readiness warm-up)", seconds(startupSeconds), phases());
      return;
    }
    WarmUp run = new WarmUp(config, deps, keys.current().keys(), clock);
    warmUp = run;
    long cap = config.warmUp().maxTime().toMillis() + 1_000;
    long timer = vertx.setTimer(cap, id -> {
      run.stop();
      if (warmed(new WarmUp.Result(0, cap, java.util.Map.of(), "hard limit"))) {
        LOG.warn("readiness warm-up still running after {} ms: stopped, ready without it", cap);
      }
    });
    Thread thread = new Thread(() -> {
      WarmUp.Result result = run.run();
      vertx.cancelTimer(timer);
      if (warmed(result)) {
        LOG.info("ready {} after the JVM started ({}; readiness warm-up: {} requests in {} ms, answers by status {},"
            + " ended by {})", seconds(startupSeconds), phases(), result.requests(), result.millis(),
            result.statuses(), result.stoppedBy());
      }
    }, "presign-warm-up");
    thread.setDaemon(true);
    thread.start();
  }

  /** Records when (JVM uptime) a step of the start ended, for the line that says the gateway is ready. */
  private void mark(String step) {
    steps.add(step + " " + seconds(java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0));
  }

  /** "start 0.52 s, management port 0.60 s, …": where a start's time went. */
  private String phases() {
    return String.join(", ", steps);
  }

  private static String seconds(double s) {
    return String.format(java.util.Locale.ROOT, "%.2f s", s);
  }

  /** Marks the warm-up as ended (null: there was none); false when it had already ended. */
  private boolean warmed(WarmUp.Result result) {
    if (result != null) {
      warmUpSeconds = result.millis() / 1000.0;
    }
    if (!warmedUp.tryComplete(result)) {
      return false;
    }
    startupSeconds = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
    return true;
  }

  /** Completes when readiness no longer waits for the warm-up (with its result, or null without one). */
  public Future<WarmUp.Result> warmedUp() {
    return warmedUp.future();
  }

  private void registerGauges() {
    metrics.gauge("presign.credentials.expiry", "Seconds until the signing credentials expire (NaN: never)",
        "seconds", () -> credentials.expiration()
            .map(t -> Duration.between(clock.instant(), t).toMillis() / 1000.0).orElse(Double.NaN));
    metrics.gauge("presign.jwks.last.success.age", "Seconds since the last good JWKS load (NaN: no JWKS URL)",
        "seconds", () -> keys.fetchesJwks() ? (clock.millis() - keys.lastSuccessMillis()) / 1000.0 : Double.NaN);
    metrics.gauge("presign.signing.keys", "JWT verification keys loaded", null, () -> keys.current().keys().size());
    metrics.gauge("presign.ready", "1 when this instance is ready to serve presigns", null,
        () -> notReadyReason() == null ? 1 : 0);
    metrics.gauge("presign.warmup.duration", "How long the readiness warm-up ran (NaN: not ended, or none)",
        "seconds", () -> warmUpSeconds);
    metrics.gauge("presign.startup.duration", "Seconds from the JVM's start until readiness stopped waiting for the"
        + " start and the warm-up (NaN: not yet)", "seconds", () -> startupSeconds);
    FunctionCounter.builder("presign.jwks.refreshes", keys, KeySource::refreshSuccesses)
        .description("JWKS fetches by outcome").tag("outcome", "success").register(metrics.registry());
    FunctionCounter.builder("presign.jwks.refreshes", keys, KeySource::refreshFailures)
        .description("JWKS fetches by outcome").tag("outcome", "failure").register(metrics.registry());
  }

  private Future<List<JsonObject>> fileKeys() {
    GatewayConfig.Jwt jwt = config.jwt();
    if (jwt.publicKeyFile() == null) {
      return Future.succeededFuture(List.of());
    }
    return vertx.fileSystem().readFile(jwt.publicKeyFile())
        .map(buffer -> StaticKeys.fromFile(buffer.toString(), jwt.algorithms()));
  }

  private URI jwksUrl() {
    if (config.jwt().jwksUrl() != null) {
      return config.jwt().jwksUrl();
    }
    return devIssuer == null ? null : URI.create("http://127.0.0.1:" + management.actualPort() + "/dev/jwks.json");
  }

  /** Null when ready to serve presigns; otherwise the reason. */
  public String notReadyReason() {
    if (draining) {
      return "shutting down";
    }
    if (!started) {
      return "starting";
    }
    if (!warmedUp.future().isComplete()) {
      return "warming up the request path";
    }
    if (keys.current().isEmpty()) {
      return "no JWT verification keys";
    }
    if (!credentials.isUsable()) {
      return "AWS credentials missing or about to expire";
    }
    return null;
  }

  public int apiPort() {
    return apiPort.get();
  }

  public int managementPort() {
    return management.actualPort();
  }

  public KeySource keys() {
    return keys;
  }

  public DevIssuer devIssuer() {
    return devIssuer;
  }

  /**
   * Graceful stop for SIGTERM: readiness turns false at once, requests keep being served for the drain time
   * (while load balancers stop routing here), then the API servers stop accepting and give in-flight requests
   * up to SHUTDOWN_TIMEOUT_SECONDS, then the AWS clients and the management port close.
   */
  public Future<Void> shutdown() {
    draining = true;
    LOG.info("draining for {} s before closing the API port", config.http().shutdownDrain().toSeconds());
    Promise<Void> drained = Promise.promise();
    vertx.setTimer(Math.max(1, config.http().shutdownDrain().toMillis()), id -> drained.complete());
    return drained.future().compose(v -> stop());
  }

  /** Immediate stop (tests, failed start); in-flight requests still get SHUTDOWN_TIMEOUT_SECONDS. */
  public Future<Void> stop() {
    started = false;
    if (warmUp != null) {
      warmUp.stop();
    }
    vertx.cancelTimer(evictionTimer);
    if (eventLoopLag != null) {
      eventLoopLag.stop();
    }
    Future<Void> undeploy = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    return undeploy.eventually(() -> {
      if (keys != null) {
        keys.close();
      }
      if (credentials != null) {
        credentials.close();
      }
      if (signer != null) {
        signer.close();
      }
      // After the API servers' drain: no call is in flight any more. Closing may wait on its pools: a worker's job.
      Future<Void> s3Closed = s3Api == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
        s3Api.close();
        return null;
      }, false);
      return s3Closed.eventually(() -> management == null ? Future.succeededFuture() : management.close());
    });
  }
}
