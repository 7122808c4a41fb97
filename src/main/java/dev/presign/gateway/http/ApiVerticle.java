package dev.presign.gateway.http;

import dev.presign.gateway.auth.KeySource;
import dev.presign.gateway.auth.TokenVerifier;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.dev.DevIssuer;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.time.Clock;
import java.util.Set;
import java.util.function.IntConsumer;

/** The public API; one instance per event loop, each with its own token verifier. */
public final class ApiVerticle extends VerticleBase {
  static final String CALLER = "caller";

  /** What every instance shares: thread-safe, built once in {@code Gateway}. */
  public record Deps(GatewayConfig config, KeySource keys, KeyPolicy policy, UrlSigner signer, DevIssuer devIssuer,
                     Clock clock, IntConsumer onListening) {}

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
        .setIdleTimeout(60));
    return server.requestHandler(setupRouter()).listen()
        .onSuccess(s -> deps.onListening().accept(s.actualPort()));
  }

  Router setupRouter() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "no-store");
      ctx.next();
    });
    if (!deps.config().http().corsOrigins().isEmpty()) {
      router.route().handler(CorsHandler.create()
          .addOrigins(deps.config().http().corsOrigins())
          .allowedMethods(Set.of(HttpMethod.POST))
          .allowedHeaders(Set.of("Authorization", "Content-Type", "X-Request-Id"))
          .maxAgeSeconds(600));
    }
    BodyHandler body = BodyHandler.create(false).setBodyLimit(deps.config().http().bodyLimitBytes());
    PresignHandler presign = new PresignHandler(deps.policy(), deps.signer());

    // consumes() answers 415 before anything else runs; the body is read (bounded) before the token is checked
    // because Vert.x 5 orders body handlers ahead of authentication.
    router.post("/api/s3/presign").consumes("application/json").handler(body).handler(this::authenticate)
        .handler(presign::presign);
    if (deps.devIssuer() != null) {
      router.get("/dev/jwks.json").handler(deps.devIssuer()::serveJwks);
      router.post("/dev/token").consumes("application/json").handler(body).handler(deps.devIssuer()::mintToken);
    }
    router.route().failureHandler(Problems::handle);
    for (int status : new int[] {400, 404, 405, 413, 415, 431, 500, 503}) {
      router.errorHandler(status, Problems::handle);
    }
    return router;
  }

  private void authenticate(RoutingContext ctx) {
    verifier.verify(ctx.request().getHeader("Authorization")).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.put(CALLER, ar.result());
        ctx.next();
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
