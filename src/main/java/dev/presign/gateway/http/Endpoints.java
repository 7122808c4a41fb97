package dev.presign.gateway.http;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.http.operations.ConfirmUpload;
import dev.presign.gateway.http.operations.ListObjects;
import dev.presign.gateway.http.operations.MultipartAbort;
import dev.presign.gateway.http.operations.MultipartComplete;
import dev.presign.gateway.http.operations.MultipartCreate;
import dev.presign.gateway.http.operations.MultipartListParts;
import dev.presign.gateway.http.operations.MultipartSignParts;
import dev.presign.gateway.http.operations.PresignBatch;
import dev.presign.gateway.http.operations.PresignDownload;
import dev.presign.gateway.http.operations.PresignPut;
import dev.presign.gateway.http.operations.SignRequest;
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
    GatewayConfig config = deps.config();
    long bodyLimit = config.http().bodyLimitBytes();
    int maxFiles = config.uploads().batchMaxFiles();
    PresignPut put = new PresignPut(deps.policy(), deps.signer(), metrics);
    return List.of(
        row(metrics, HttpMethod.POST, "/api/s3/presign", "put", put, bodyLimit),
        row(metrics, HttpMethod.POST, "/api/s3/download", "get", new PresignDownload(deps.policy(), deps.signer()),
            bodyLimit),
        row(metrics, HttpMethod.POST, "/api/s3/sign", "sign",
            new SignRequest(deps.policy(), deps.signer(), config.uploads().allowDelete()), bodyLimit),
        // Each file may be as large as a single presign body; the whole stays within 1 MiB.
        row(metrics, HttpMethod.POST, "/api/s3/presign/batch", "batch", new PresignBatch(put, maxFiles),
            Math.min(1L << 20, maxFiles * bodyLimit + 64)),
        row(metrics, HttpMethod.POST, "/api/s3/uploads/confirm", "confirm", new ConfirmUpload(deps.policy(), deps.s3()),
            bodyLimit),
        row(metrics, HttpMethod.POST, "/api/s3/multipart/create", "multipart_create",
            new MultipartCreate(deps.policy(), deps.s3(), config.s3()), bodyLimit),
        row(metrics, HttpMethod.POST, "/api/s3/multipart/sign", "multipart_sign",
            new MultipartSignParts(deps.policy(), deps.signer(), deps.s3()), bodyLimit),
        row(metrics, HttpMethod.POST, "/api/s3/multipart/parts", "multipart_parts",
            new MultipartListParts(deps.policy(), deps.s3()), bodyLimit),
        row(metrics, HttpMethod.POST, "/api/s3/multipart/complete", "multipart_complete",
            new MultipartComplete(deps.policy(), deps.s3(), config.uploads().maxBytes()), bodyLimit),
        row(metrics, HttpMethod.POST, "/api/s3/multipart/abort", "multipart_abort",
            new MultipartAbort(deps.policy(), deps.s3()), bodyLimit),
        row(metrics, HttpMethod.GET, "/api/s3/objects", "list", new ListObjects(deps.policy(), deps.s3()), 0));
  }

  private static Endpoint row(GatewayMetrics metrics, HttpMethod method, String path, String operation,
                              Operation handler, long bodyLimit) {
    return new Endpoint(method, path, operation, handler, bodyLimit, metrics.outcomes(operation));
  }
}
