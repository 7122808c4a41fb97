package dev.presign.gateway.http;

import dev.presign.gateway.auth.KeySource;
import dev.presign.gateway.auth.TokenVerifier;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.dev.DevIssuer;
import dev.presign.gateway.metrics.GatewayMetrics;
import dev.presign.gateway.metrics.GatewayMetrics.Outcome;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import dev.presign.gateway.auth.Caller;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The public API; one instance per event loop, each with its own token verifier. */
public final class ApiVerticle extends VerticleBase {
  static final String CALLER = "caller";
  static final String REQUEST_ID = "requestId";
  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  // Header names and fixed values as pre-hashed ASCII strings: Vert.x would hash and validate a String per use.
  static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  /** What every instance shares: thread-safe, built once in {@code Gateway}. */
  public record Deps(GatewayConfig config, KeySource keys, KeyPolicy policy, UrlSigner signer, DevIssuer devIssuer,
                     GatewayMetrics metrics, RateLimiter rateLimiter, Clock clock, IntConsumer onListening) {}

  private final Deps deps;
  private TokenVerifier verifier;
  private HttpServer server;

  public ApiVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    verifier = new TokenVerifier(vertx, deps.keys(), deps.config().jwt(), deps.clock());
    server = vertx.createHttpServer(new HttpServerOptions()
        .setPort(deps.config().http().port())
        .setHost("0.0.0.0")
        // Nothing legitimate idles this long; a stalled client gives its connection back.
        .setIdleTimeout(60)
        // No WebSockets here: without compression offers Netty's extension handler leaves the pipeline, so
        // no request or response passes through it.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false));
    return server.requestHandler(setupRouter()).invalidRequestHandler(ApiVerticle::rejectInvalid)
        .listen()
        .onSuccess(s -> deps.onListening().accept(s.actualPort()));
  }

  Router setupRouter() {
    Router router = Router.router(vertx);
    router.route().handler(this::tagRequest);
    if (!deps.config().http().corsOrigins().isEmpty()) {
      router.route().handler(CorsHandler.create()
          .addOrigins(deps.config().http().corsOrigins())
          .allowedMethods(Set.of(HttpMethod.POST))
          .allowedHeaders(Set.of("Authorization", "Content-Type", "X-Request-Id"))
          .exposedHeaders(Set.of("X-Request-Id"))
          .maxAgeSeconds(600));
    }
    BodyHandler body = BodyHandler.create(false).setBodyLimit(deps.config().http().bodyLimitBytes());
    PresignHandler presign = new PresignHandler(deps.policy(), deps.signer(), deps.metrics());

    // One route per path, so that metrics carry exactly its template as the route label. Vert.x 5 orders the
    // body handler (bounded) ahead of authentication, so a body is read before the token is checked.
    router.route("/api/s3/presign")
        .handler(TimeoutHandler.create(deps.config().http().requestTimeout().toMillis(), 408))
        .handler(body)
        .handler(ApiVerticle::requirePostJson)
        .handler(this::authenticate)
        .handler(this::limitRate)
        .handler(presign::presign);
    // Liveness on the API port too: where a probe or a load balancer only knows this port, and as the same
    // server's no-op endpoint that benchmarks compare presign with.
    router.get("/health/live").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end("{\"status\":\"UP\"}"));
    if (deps.devIssuer() != null) {
      router.get("/dev/jwks.json").handler(deps.devIssuer()::serveJwks);
      router.post("/dev/token").consumes("application/json").handler(body).handler(deps.devIssuer()::mintToken);
    }
    router.route().failureHandler(Problems::handle);
    for (int status : new int[] {400, 404, 405, 408, 413, 415, 429, 431, 500, 503}) {
      router.errorHandler(status, Problems::handle);
    }
    return router;
  }

  /** Every answer says no-store and carries the request id (the caller's, if it is safe to echo). */
  private void tagRequest(RoutingContext ctx) {
    String given = ctx.request().getHeader(X_REQUEST_ID);
    // A request id needs to be unique, not secret: a per-thread generator avoids UUID.randomUUID()'s shared lock.
    String id = given != null && SAFE_REQUEST_ID.matcher(given).matches() ? given
        : new UUID(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong()).toString();
    ctx.put(REQUEST_ID, id);
    ctx.response().putHeader(X_REQUEST_ID, id).putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
    if (ctx.request().path().equals("/api/s3/presign")) {
      // Attached before any other handler, so 408s and 413s are counted and audited too.
      recordDecision(ctx);
      return;
    }
    ctx.next();
  }

  /** Counts the outcome and writes the audit event once the status is final, whichever handler answered. */
  private void recordDecision(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> {
      try {
        Outcome outcome = Outcome.ofStatus(ctx.response().getStatusCode());
        deps.metrics().outcome(outcome);
        AuditLog.decision(ctx, "put", outcome);
      } catch (RuntimeException e) {
        // Bookkeeping must never break the answer it describes.
        LOG.error("could not record a presign decision", e);
      }
    });
    ctx.next();
  }

  private void authenticate(RoutingContext ctx) {
    long start = System.nanoTime();
    verifier.verify(ctx.request().getHeader(HttpHeaders.AUTHORIZATION)).onComplete(ar -> {
      deps.metrics().jwtValidation(System.nanoTime() - start);
      if (ar.succeeded()) {
        ctx.put(CALLER, ar.result());
        ctx.next();
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  /** 405 for anything but POST, 415 for anything but a JSON body. */
  static void requirePostJson(RoutingContext ctx) {
    if (ctx.request().method() != HttpMethod.POST) {
      ctx.response().putHeader("Allow", "POST");
      ctx.fail(new ProblemException(405, "Method Not Allowed", "use POST for this resource"));
      return;
    }
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if ("application/json".equalsIgnoreCase(type)) {
      ctx.next();
      return;
    }
    String base = type == null ? "" : type.split(";", 2)[0].strip();
    if (!base.equalsIgnoreCase("application/json")) {
      ctx.fail(new ProblemException(415, "Unsupported Media Type",
          "send the body as application/json (got " + (type == null ? "no Content-Type" : "'" + base + "'") + ")"));
      return;
    }
    ctx.next();
  }

  /** Per-subject rate limit: 429 with Retry-After in whole seconds. */
  private void limitRate(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER);
    long waitNanos = deps.rateLimiter().acquire(caller.subject());
    if (waitNanos == 0) {
      ctx.next();
      return;
    }
    long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    ctx.response().putHeader("Retry-After", String.valueOf(seconds));
    ctx.fail(new ProblemException(429, "Too Many Requests",
        "rate limit for this caller exceeded; retry after " + seconds + " s"));
  }

  /** Requests Netty could not decode (headers or request line too long, bad syntax) still get problem+json. */
  private static void rejectInvalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    String message = cause == null ? "" : String.valueOf(cause.getMessage());
    int status = message.contains("header is larger") ? 431 : message.contains("line is larger") ? 414 : 400;
    String detail = switch (status) {
      case 431 -> "request headers are larger than this gateway accepts (8 KiB); is the token too long?";
      case 414 -> "the request line is too long";
      default -> "the request is not valid HTTP";
    };
    request.response().setStatusCode(status).putHeader("Content-Type", Problems.MEDIA_TYPE)
        .putHeader("Connection", "close")
        .end(Problems.body(new ProblemException(status, status == 431 ? "Request Header Fields Too Large"
            : status == 414 ? "URI Too Long" : "Bad Request", detail)).encode());
  }

  @Override
  public Future<?> stop() {
    // Let in-flight requests finish (bounded) instead of cutting them at once.
    return server == null ? Future.succeededFuture()
        : server.shutdown(deps.config().http().shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }
}
