package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.http.PresignBody;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.policy.UploadRequest;
import dev.presign.gateway.signing.PresignedUpload;
import dev.presign.gateway.signing.UrlSigner;
import dev.presign.gateway.metrics.GatewayMetrics;

/**
 * {@code POST /api/s3/presign} {@code {filename, contentType?, size?, checksumSha256?, prefix?}}: the policy makes
 * the key under the caller's prefix, the signer presigns a PUT for it with every header it must carry.
 */
public final class PresignPut implements Operation {
  private final KeyPolicy policy;
  private final UrlSigner signer;
  private final GatewayMetrics metrics;

  public PresignPut(KeyPolicy policy, UrlSigner signer, GatewayMetrics metrics) {
    this.policy = policy;
    this.signer = signer;
    this.metrics = metrics;
  }

  @Override
  public Object answer(Call call) {
    UploadRequest upload = PresignBody.parse(call.body());
    call.audit(null, upload.size(), upload.contentType());
    UploadPlan plan = plan(call, upload);
    call.audit(plan.key(), upload.size(), upload.contentType());
    return sign(plan);
  }

  /** The policy's decision for one file. */
  UploadPlan plan(Call call, UploadRequest upload) {
    return policy.plan(call.caller(), upload);
  }

  /** The signed PUT for {@code plan}, as its JSON answer. */
  String sign(UploadPlan plan) {
    return answer(presign(plan));
  }

  /** The signed PUT for {@code plan}, its signing time recorded. */
  PresignedUpload presign(UploadPlan plan) {
    long start = System.nanoTime();
    PresignedUpload signed = signer.presignPut(plan);
    metrics.signing(System.nanoTime() - start);
    return signed;
  }

  /**
   * {@code {"key":…,"uploadUrl":…,"method":"PUT","headers":{…},"expiresAt":…}}, written directly (no JSON tree):
   * the same text a JsonObject would encode.
   */
  public static String answer(PresignedUpload upload) {
    return Answers.signed(upload, upload.key(), "uploadUrl");
  }
}
