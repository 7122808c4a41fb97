package dev.presign.gateway.http;

import dev.presign.gateway.dev.DevIssuer;
import dev.presign.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.function.Supplier;

/** The management port: health probes and Prometheus metrics. Never routed through the ingress. */
public final class ManagementRoutes {
  private ManagementRoutes() {}

  /** {@code readiness} answers null when ready, otherwise why not. */
  public static Router create(Vertx vertx, Supplier<String> readiness, GatewayMetrics metrics, DevIssuer devIssuer) {
    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics.registry()));
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> {
      String notReady = readiness.get();
      if (notReady == null) {
        ctx.json(new JsonObject().put("status", "UP"));
      } else {
        ctx.fail(new ProblemException(503, "Service Unavailable", "not ready: " + notReady));
      }
    });
    if (devIssuer != null) {
      DevRoutes.jwks(router, devIssuer);
    }
    router.route().failureHandler(Problems::handle);
    for (int status : new int[] {404, 405, 500}) {
      router.errorHandler(status, Problems::handle);
    }
    return router;
  }
}
