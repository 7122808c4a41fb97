package dev.presign.gateway.http;

import dev.presign.gateway.auth.KeySource;
import dev.presign.gateway.auth.TokenVerifier;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.dev.DevIssuer;
import dev.presign.gateway.http.operations.Companion;
import dev.presign.gateway.metrics.GatewayMetrics;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.s3.S3Api;
import dev.presign.gateway.signing.UrlSigner;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

/** The public API; one instance per event loop, each with its own token verifier. */
public final class ApiVerticle extends VerticleBase {
  static final String REQUEST_ID = "requestId";
  /** The name Vert.x gives its own handler in an HTTP/1 connection's pipeline. */
  private static final String VERTX_HANDLER = "handler";
  /** The name Vert.x gives its HTTP/1 request decoder. */
  private static final String VERTX_DECODER = "httpDecoder";
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  // Header names and fixed values as pre-hashed ASCII strings: Vert.x would hash and validate a String per use.
  static final CharSequence X_REQUEST_ID = HttpHeaders.createOptimized("X-Request-Id");
  static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  /** What every instance shares: thread-safe, built once in {@code Gateway}. */
  public record Deps(GatewayConfig config, KeySource keys, KeyPolicy policy, UrlSigner signer, DevIssuer devIssuer,
                     GatewayMetrics metrics, RateLimiter rateLimiter, EdgeLimiter edgeLimiter, Clock clock,
                     IntConsumer onListening, S3Api s3) {}

  private final Deps deps;
  private Pipeline pipeline;
  private HttpServer server;

  public ApiVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    TokenVerifier verifier = new TokenVerifier(vertx, deps.keys(), deps.config().jwt(), deps.clock());
    if (deps.edgeLimiter().enabled()) {
      verifier.beforeVerification(deps.edgeLimiter());
    }
    GatewayConfig.Http http = deps.config().http();
    pipeline = new Pipeline(verifier, deps.rateLimiter(), deps.metrics(), http.requestTimeout(),
        http.corsOrigins().isEmpty() ? null : new Cors(Set.copyOf(http.corsOrigins())));
    // 408s come from one sweep per event loop instead of a timer per request: late by at most one period.
    long sweepMillis = Math.max(10, Math.min(250, http.requestTimeout().toMillis() / 10));
    vertx.setPeriodic(sweepMillis, id -> pipeline.expire(System.nanoTime()));
    HttpServerOptions options = new HttpServerOptions()
        .setPort(http.port())
        .setHost(http.host())
        // HTTP/1.1 only: ingresses and load balancers speak it to their backends, and the exchange's rules (a
        // refused body closes the connection) are HTTP/1's. Cleartext HTTP/2 would need per-stream refusals.
        .setHttp2ClearTextEnabled(false)
        // Nothing legitimate idles this long; a stalled client gives its connection back.
        .setIdleTimeout(60)
        // No WebSockets here: without compression offers Netty's extension handler leaves the pipeline, so
        // no request or response passes through it.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
    server = vertx.createHttpServer(options);
    Router router = setupRouter();
    Map<String, Endpoint> endpoints = new HashMap<>();
    for (Endpoint endpoint : Endpoints.table(deps)) {
      endpoints.put(endpoint.path(), endpoint);
    }
    Map<Companion.Resource, List<Endpoint>> companion = Endpoints.companion(deps);
    // API requests go straight to the pipeline by one map lookup; the router sees only the rest.
    Handler<HttpServerRequest> dispatch = request -> {
      Endpoint endpoint = endpoints.get(request.path());
      if (endpoint == null && request.path().startsWith(Companion.BASE)) {
        endpoint = companionEndpoint(companion, request);
      }
      if (endpoint != null) {
        request.routed(endpoint.path());
        pipeline.handle(request, endpoint);
      } else {
        router.handle(request);
      }
    };
    return server.connectionHandler(connection -> configure(connection, options)).requestHandler(dispatch)
        .invalidRequestHandler(ApiVerticle::rejectInvalid)
        .listen()
        .onSuccess(s -> deps.onListening().accept(s.actualPort()));
  }

  /**
   * The Companion row for the request's path and method; for a preflight, the method it announces; for a method
   * the path does not take, its first row (the pipeline answers 405 with every method it takes). Null when the
   * path is none of the protocol's.
   */
  static Endpoint companionEndpoint(Map<Companion.Resource, List<Endpoint>> rows, HttpServerRequest request) {
    Companion.Path path = Companion.Path.parse(request.path());
    if (path == null) {
      return null;
    }
    List<Endpoint> candidates = rows.get(path.resource());
    String method = request.method() == HttpMethod.OPTIONS ? request.getHeader(Cors.REQUEST_METHOD) : null;
    for (Endpoint e : candidates) {
      if (method == null ? e.method() == request.method() : e.method().name().equals(method)) {
        return e;
      }
    }
    return candidates.get(0);
  }

  /**
   * Every connection is HTTP/1 (no h2c, no TLS here) and reaches this before its first byte is read: the request
   * decoder becomes the strict one, and flushes are batched.
   */
  static void configure(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof Http1xServerConnection http1) {
      ChannelPipeline pipeline = http1.channelHandlerContext().pipeline();
      if (pipeline.get(VERTX_DECODER) != null) {
        pipeline.replace(VERTX_DECODER, VERTX_DECODER, new StrictRequestDecoder(options));
      }
    }
    batchFlushes(connection);
  }

  /**
   * Answers written in one event-loop turn leave together: a connection's flush becomes a task that runs once the
   * loop has handled every connection that was ready (Netty's FlushConsolidationHandler, consolidating outside
   * reads too). Each answer is still one write on its own connection, delayed by at most the rest of that turn;
   * the peer (ingress, load balancer) is woken once for several answers rather than once per answer, and sends
   * its next requests while the loop is still busy. Measured: presign throughput +30 % on loopback (BENCHMARKS.md).
   * HTTP/1 connections only (the pipeline whose layout is known here); HTTP/2 ones stay as Vert.x builds them.
   */
  static void batchFlushes(HttpConnection connection) {
    if (connection instanceof Http1xServerConnection http1) {
      ChannelPipeline pipeline = http1.channelHandlerContext().pipeline();
      // Before Vert.x's handler, so that its flushes pass through (as Vert.x adds its own handlers). Called once
      // per connection; without that handler (another Vert.x layout) the connection simply flushes per answer.
      if (pipeline.get(VERTX_HANDLER) != null) {
        pipeline.addBefore(VERTX_HANDLER, "flushBatching", new FlushConsolidationHandler(
            FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
      }
    }
  }

  Router setupRouter() {
    Router router = Router.router(vertx);
    router.route().handler(ApiVerticle::tagRequest);
    if (!deps.config().http().corsOrigins().isEmpty()) {
      router.route().handler(CorsHandler.create()
          .addOrigins(deps.config().http().corsOrigins())
          .allowedMethods(Set.of(HttpMethod.POST))
          .allowedHeaders(Set.of("Authorization", "Content-Type", "X-Request-Id"))
          .exposedHeaders(Set.of("X-Request-Id"))
          .maxAgeSeconds(600));
    }
    BodyHandler body = BodyHandler.create(false).setBodyLimit(deps.config().http().bodyLimitBytes());
    // Liveness on the API port too: where a probe or a load balancer only knows this port, and as the same
    // server's no-op endpoint that benchmarks compare presign with.
    router.get("/health/live").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .end("{\"status\":\"UP\"}"));
    if (deps.devIssuer() != null) {
      DevRoutes.jwks(router, deps.devIssuer());
      DevRoutes.token(router, deps.devIssuer(), body);
      DevRoutes.demoPage(router, vertx);
    }
    router.route().failureHandler(ApiVerticle::problem);
    for (int status : new int[] {400, 404, 405, 408, 413, 415, 429, 431, 500, 503}) {
      router.errorHandler(status, ApiVerticle::problem);
    }
    return router;
  }

  /** Every answer says no-store and carries the request id. */
  private static void tagRequest(RoutingContext ctx) {
    tag(ctx);
    ctx.next();
  }

  /**
   * The router fails some requests before any route runs (a target not starting with '/' is a 404 at once): those
   * are tagged here, on their way to the problem writer.
   */
  private static void problem(RoutingContext ctx) {
    if (ctx.get(REQUEST_ID) == null) {
      tag(ctx);
    }
    Problems.handle(ctx);
  }

  private static void tag(RoutingContext ctx) {
    String id = requestId(ctx.request());
    ctx.put(REQUEST_ID, id);
    ctx.response().putHeader(X_REQUEST_ID, id).putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE);
  }

  /** The caller's X-Request-Id if it is safe to echo, else a new random one. */
  static String requestId(HttpServerRequest request) {
    String given = request.getHeader(X_REQUEST_ID);
    // A request id needs to be unique, not secret: a per-thread generator avoids UUID.randomUUID()'s shared lock.
    return given != null && SAFE_REQUEST_ID.matcher(given).matches() ? given
        : new UUID(ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong()).toString();
  }

  /**
   * The one Authorization header, or null. Two are refused: which one a proxy, a log or this gateway would read is
   * anyone's guess.
   */
  static String authorization(HttpServerRequest request) {
    MultiMap headers = request.headers();
    String value = headers.get(HttpHeaders.AUTHORIZATION);
    if (value != null && headers.getAll(HttpHeaders.AUTHORIZATION).size() > 1) {
      throw new ProblemException(400, "Bad Request", "send one Authorization header, not several",
          new JsonObject().put("field", "Authorization"));
    }
    return value;
  }

  /** Accepts a JSON media type (parameters allowed); anything else is a 415 problem. */
  static void requireJson(String type) {
    if ("application/json".equalsIgnoreCase(type)) {
      return;
    }
    String base = type == null ? "" : type.split(";", 2)[0].strip();
    if (!base.equalsIgnoreCase("application/json")) {
      throw new ProblemException(415, "Unsupported Media Type",
          "send the body as application/json (got " + (type == null ? "no Content-Type" : "'" + base + "'") + ")");
    }
  }

  /**
   * Requests that could not be decoded (headers or request line too long, bad syntax, faulty framing, another HTTP
   * version) still get problem+json, and their connection is closed: what follows them cannot be trusted.
   */
  private static void rejectInvalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ProblemException problem;
    if (cause instanceof TooLongHttpHeaderException) {
      problem = new ProblemException(431, "Request Header Fields Too Large",
          "request headers are larger than this gateway accepts (8 KiB); is the token too long?");
    } else if (cause instanceof TooLongHttpLineException) {
      problem = new ProblemException(414, "URI Too Long", "the request line is too long");
    } else if (cause instanceof StrictRequestDecoder.UnsupportedVersion) {
      problem = new ProblemException(505, "HTTP Version Not Supported", cause.getMessage());
    } else if (cause instanceof StrictRequestDecoder.FaultyFraming) {
      problem = new ProblemException(400, "Bad Request", cause.getMessage());
    } else {
      problem = new ProblemException(400, "Bad Request", "the request is not valid HTTP");
    }
    request.response().setStatusCode(problem.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problems.MEDIA_TYPE)
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(Problems.body(problem).encode())
        .onComplete(v -> Problems.closeAfterAnswer(request.connection()));
  }

  @Override
  public Future<?> stop() {
    // Let in-flight requests finish (bounded) instead of cutting them at once.
    return server == null ? Future.succeededFuture()
        : server.shutdown(deps.config().http().shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }
}
