package dev.presign.gateway.http;

import dev.presign.gateway.http.operations.PresignPut;
import dev.presign.gateway.metrics.GatewayMetrics;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * The endpoint table: every API route, declared here and nowhere else. The verticle dispatches on it (exact paths
 * by one map lookup) and the pipeline answers CORS preflights from it.
 */
final class Endpoints {
  private Endpoints() {}

  static List<Endpoint> table(ApiVerticle.Deps deps) {
    GatewayMetrics metrics = deps.metrics();
    return List.of(
        row(metrics, HttpMethod.POST, "/api/s3/presign", "put", new PresignPut(deps.policy(), deps.signer(), metrics)));
  }

  private static Endpoint row(GatewayMetrics metrics, HttpMethod method, String path, String operation,
                              Operation handler) {
    return new Endpoint(method, path, operation, handler, metrics.outcomes(operation));
  }
}
