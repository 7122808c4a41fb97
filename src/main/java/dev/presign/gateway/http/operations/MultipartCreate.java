package dev.presign.gateway.http.operations;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.PartSizes;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.policy.UploadRequest;
import dev.presign.gateway.s3.S3Api;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * {@code POST /api/s3/multipart/create} {@code {filename, contentType?, size}} → {@code {key, uploadId, partSize,
 * partCount}}: the key made by the server as for a presign (prefix, content type and declared size checked against
 * {@code MAX_UPLOAD_BYTES}), the part size chosen within S3's limits, and S3's CreateMultipartUpload made with the
 * content type and the bucket's encryption settings.
 */
public final class MultipartCreate implements Operation {
  private final KeyPolicy policy;
  private final S3Api s3;
  private final GatewayConfig.S3 settings;

  public MultipartCreate(KeyPolicy policy, S3Api s3, GatewayConfig.S3 settings) {
    this.policy = policy;
    this.s3 = s3;
    this.settings = settings;
  }

  @Override
  public Object answer(Call call) {
    MultipartBody body = MultipartBody.read(call.body());
    if (body.filename() == null || body.filename().isBlank()) {
      throw PolicyException.invalid("filename", "filename is required");
    }
    if (body.size() == null) {
      throw PolicyException.invalid("size", "size (bytes) is required: completion is refused above it");
    }
    UploadPlan plan = policy.plan(call.caller(), new UploadRequest(body.filename(), body.contentType(), body.size(),
        null, null));
    return start(call, plan).map(uploadId -> {
      long partSize = PartSizes.partSize(plan.size());
      return new JsonObject().put("key", plan.key()).put("uploadId", uploadId).put("partSize", partSize)
          .put("partCount", PartSizes.partCount(plan.size(), partSize)).encode();
    });
  }

  /** Audits the plan and starts S3's multipart upload for it (content type, the bucket's encryption): its upload id. */
  Future<String> start(Call call, UploadPlan plan) {
    call.audit(plan.key(), plan.size(), plan.contentType());
    return S3Problems.answer(s3.call("create_multipart_upload", c -> c.createMultipartUpload(b -> b
            .bucket(s3.bucket()).key(plan.key()).contentType(plan.contentType())
            .serverSideEncryption(settings.sse()).ssekmsKeyId(settings.sseKmsKeyId()))),
            "the bucket does not exist", s3.callTimeout())
        .map(created -> created.uploadId());
  }
}
