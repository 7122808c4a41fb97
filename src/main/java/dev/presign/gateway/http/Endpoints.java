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
import dev.presign.gateway.http.operations.Companion;
import io.vertx.core.http.HttpMethod;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

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
    MultipartCreate create = new MultipartCreate(deps.policy(), deps.s3(), config.s3());
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
        row(metrics, HttpMethod.POST, "/api/s3/multipart/create", "multipart_create", create, bodyLimit),
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

  /**
   * Uppy Companion's S3 protocol under {@link Companion#BASE} (Uppy 5's {@code endpoint}): paths that carry the
   * upload id and part number, one row per method of each. Their problems also carry {@code message}, which Uppy
   * shows its user.
   */
  static Map<Companion.Resource, List<Endpoint>> companion(ApiVerticle.Deps deps) {
    GatewayMetrics metrics = deps.metrics();
    GatewayConfig config = deps.config();
    long bodyLimit = config.http().bodyLimitBytes();
    Companion c = new Companion(deps.policy(), deps.signer(), deps.s3(), metrics,
        new MultipartCreate(deps.policy(), deps.s3(), config.s3()), config.uploads().maxBytes());
    String base = Companion.BASE + "/s3/";
    String upload = base + "multipart/{uploadId}";
    Map<Companion.Resource, List<Endpoint>> rows = new EnumMap<>(Companion.Resource.class);
    rows.put(Companion.Resource.PARAMS, List.of(
        uppy(metrics, HttpMethod.GET, base + "params", "companion_params", c.params(), 0, "GET")));
    rows.put(Companion.Resource.MULTIPART, List.of(
        uppy(metrics, HttpMethod.POST, base + "multipart", "companion_create", c.create(), bodyLimit, "POST")));
    rows.put(Companion.Resource.UPLOAD, List.of(
        uppy(metrics, HttpMethod.GET, upload, "companion_list_parts", c.listParts(), 0, "GET, DELETE"),
        uppy(metrics, HttpMethod.DELETE, upload, "companion_abort", c.abort(), 0, "GET, DELETE")));
    rows.put(Companion.Resource.PART, List.of(
        uppy(metrics, HttpMethod.GET, upload + "/{partNumber}", "companion_sign_part", c.signPart(), 0, "GET")));
    rows.put(Companion.Resource.BATCH, List.of(
        uppy(metrics, HttpMethod.GET, upload + "/batch", "companion_sign_batch", c.signBatch(), 0, "GET")));
    // Complete names every part: up to 10,000 of {"PartNumber":10000,"ETag":"\"<32 hex>\""} (~70 bytes each).
    rows.put(Companion.Resource.COMPLETE, List.of(
        uppy(metrics, HttpMethod.POST, upload + "/complete", "companion_complete", c.complete(), 1L << 20, "POST")));
    return rows;
  }

  private static Endpoint uppy(GatewayMetrics metrics, HttpMethod method, String path, String operation,
                               Operation handler, long bodyLimit, String allow) {
    return new Endpoint(method, path, operation, handler, bodyLimit, metrics.outcomes(operation), allow, true);
  }

  private static Endpoint row(GatewayMetrics metrics, HttpMethod method, String path, String operation,
                              Operation handler, long bodyLimit) {
    return new Endpoint(method, path, operation, handler, bodyLimit, metrics.outcomes(operation));
  }
}
