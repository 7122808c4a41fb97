package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.s3.S3Api;
import dev.presign.gateway.s3.S3Fault;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * {@code POST /api/s3/multipart/complete} {@code {key, uploadId, size}} → {@code {key, etag, size}}: the size cap
 * of a multipart upload. The gateway lists the parts itself (the client names none), adds up their sizes, and when
 * the total exceeds the declared {@code size} or {@code MAX_UPLOAD_BYTES} refuses with 403 {@code max-size} and
 * aborts the upload, so nothing is stored. Otherwise it completes with exactly the parts and ETags it checked: a
 * part uploaded after the listing is not part of the object.
 *
 * <p>The declared size is the one this call names (the gateway keeps no state between calls); a client cannot
 * name more than {@code MAX_UPLOAD_BYTES}.
 */
public final class MultipartComplete implements Operation {
  private final KeyPolicy policy;
  private final S3Api s3;
  private final long maxBytes;

  public MultipartComplete(KeyPolicy policy, S3Api s3, long maxBytes) {
    this.policy = policy;
    this.s3 = s3;
    this.maxBytes = maxBytes;
  }

  @Override
  public Object answer(Call call) {
    MultipartBody.Existing upload = MultipartBody.existing(call, policy);
    String key = upload.key();
    String uploadId = upload.uploadId();
    Long declared = upload.body().size();
    if (declared != null && declared < 0) {
      throw PolicyException.invalid("size", "size must not be negative: the upload's declared size in bytes, as"
          + " created");
    }
    if (declared == null) {
      throw PolicyException.invalid("size", "size is required: the upload's declared size in bytes, as created");
    }
    if (declared > maxBytes) {
      throw PolicyException.denied("max-size", "size " + declared + " exceeds the maximum of " + maxBytes + " bytes");
    }
    call.audit(key, declared, null);
    return MultipartCalls.listParts(s3, key, uploadId)
        .compose(parts -> completeWithin(s3, call, key, uploadId, parts, declared, "the declared size of " + declared
            + " bytes"))
        .map(done -> new JsonObject().put("key", key).put("etag", done.eTag()).put("size", done.size()).encode());
  }

  /** What a completion made: the object's ETag, where S3 says it is (may be null), and its size. */
  record Completed(String eTag, String location, long size) {}

  /**
   * Completes the upload with exactly {@code parts} (each as S3 listed it) when their sizes total at most
   * {@code cap} bytes; otherwise aborts it, so nothing is stored, and fails with 403 {@code max-size} naming
   * {@code capWhat}.
   */
  static Future<Completed> completeWithin(S3Api s3, Call call, String key, String uploadId, List<Part> parts, long cap,
                                         String capWhat) {
    long total = 0;
    for (Part p : parts) {
      total += p.size() == null ? 0 : p.size();
    }
    call.audit(key, total, null);
    if (parts.isEmpty()) {
      return Future.failedFuture(PolicyException.invalid("uploadId", "the upload has no parts yet: upload them"
          + " through the signed part URLs, then complete"));
    }
    if (total > cap) {
      PolicyException refusal = PolicyException.denied("max-size", "the uploaded parts total " + total
          + " bytes, more than " + capWhat + ": the upload was aborted");
      return MultipartCalls.abort(s3, key, uploadId).transform(ar -> Future.failedFuture(refusal));
    }
    List<CompletedPart> checked = new ArrayList<>(parts.size());
    for (Part p : parts) {
      checked.add(CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build());
    }
    long size = total;
    return S3Problems.answer(s3.call("complete_multipart_upload", c -> c.completeMultipartUpload(b -> b
            .bucket(s3.bucket()).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(checked))))
            .recover(MultipartComplete::partsRefused), MultipartCalls.NO_UPLOAD, s3.callTimeout())
        .map(done -> new Completed(done.eTag(), done.location(), size));
  }

  /**
   * S3 refusing the parts is the client's to fix, not the gateway's request: a 400 naming them (not a 502 that says
   * to check the gateway's permissions). EntityTooSmall: one but the last under S3's 5 MiB minimum. InvalidPart:
   * a part re-uploaded (new ETag) or gone between the listing the gateway checked and the completion. The upload
   * stays, so the parts can be uploaded again.
   */
  static <T> Future<T> partsRefused(Throwable failure) {
    String code = S3Fault.errorCode(failure);
    if ("EntityTooSmall".equals(code)) {
      return Future.failedFuture(PolicyException.invalid("parts", "S3 refused to complete the upload"
          + " (EntityTooSmall): every part but the last must be at least 5 MiB; upload the parts again in larger"
          + " pieces, then complete"));
    }
    if ("InvalidPart".equals(code)) {
      return Future.failedFuture(PolicyException.invalid("parts", "S3 refused to complete the upload (InvalidPart):"
          + " a part changed or went away while completing; list the parts again, then complete"));
    }
    return Future.failedFuture(failure);
  }
}
