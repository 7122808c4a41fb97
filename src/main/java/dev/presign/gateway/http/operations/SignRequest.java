package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.JsonFields;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.policy.UploadRequest;
import dev.presign.gateway.signing.PresignedUpload;
import dev.presign.gateway.signing.UrlSigner;
import java.util.Locale;

/**
 * {@code POST /api/s3/sign}: Uppy 6's {@code signRequest} contract, {@code {method, key, uploadId?, partNumber?,
 * contentType?, expiresIn?}} → {@code {url, method, headers, expiresAt, key?}} for the S3 requests of an upload:
 *
 * <ul>
 *   <li>PUT: PutObject; POST: CreateMultipartUpload. The gateway makes the key from the requested one's last
 *       segment (sanitised, under the caller's prefix, as a presign does) and returns it as {@code key}, which Uppy
 *       then names in every later request of that upload.
 *   <li>PUT + uploadId + partNumber: UploadPart; POST + uploadId: CompleteMultipartUpload; GET + uploadId:
 *       ListParts; DELETE + uploadId: AbortMultipartUpload; DELETE: DeleteObject (only with ALLOW_DELETE). The key
 *       must lie under the caller's prefixes.
 * </ul>
 *
 * {@code expiresIn} (seconds) can shorten a URL's life, never lengthen it. Pure signing: the browser calls S3.
 */
public final class SignRequest implements Operation {
  private static final String[] MEMBERS = {"method", "key", "uploadId", "partNumber", "contentType", "expiresIn"};
  private static final int NUMBERS = 1 << 3 | 1 << 5;

  private final KeyPolicy policy;
  private final UrlSigner signer;
  private final boolean allowDelete;

  public SignRequest(KeyPolicy policy, UrlSigner signer, boolean allowDelete) {
    this.policy = policy;
    this.signer = signer;
    this.allowDelete = allowDelete;
  }

  @Override
  public Object answer(Call call) {
    Object[] f = JsonFields.read(call.body(), MEMBERS, NUMBERS);
    String method = (String) f[0];
    String requestedKey = (String) f[1];
    String uploadId = (String) f[2];
    Long partNumber = (Long) f[3];
    String contentType = (String) f[4];
    long maxSeconds = maxSeconds((Long) f[5]);
    if (method == null) {
      throw PolicyException.invalid("method", "method is required: PUT, POST, GET or DELETE");
    }
    if (requestedKey == null || requestedKey.isEmpty()) {
      throw PolicyException.invalid("key", "key is required");
    }
    call.audit(null, null, contentType);
    switch (method.toUpperCase(Locale.ROOT)) {
      case "PUT" -> {
        if (uploadId == null) {
          UploadPlan plan = newUpload(call, requestedKey, contentType);
          return Answers.signed(signer.presignPut(plan, maxSeconds), plan.key(), "url");
        }
        int part = KeyPolicy.checkPartNumber(partNumber);
        return existing(call, requestedKey, key -> signer.presignUploadPart(key,
            KeyPolicy.checkUploadId(uploadId), part, maxSeconds));
      }
      case "POST" -> {
        if (uploadId == null) {
          UploadPlan plan = newUpload(call, requestedKey, contentType);
          return Answers.signed(signer.presignCreateMultipartUpload(plan.key(), plan.contentType(), maxSeconds),
              plan.key(), "url");
        }
        return existing(call, requestedKey, key -> signer.presignCompleteMultipartUpload(key,
            KeyPolicy.checkUploadId(uploadId), maxSeconds));
      }
      case "GET" -> {
        if (uploadId == null) {
          throw PolicyException.invalid("uploadId", "GET signs ListParts and needs the uploadId; to download an"
              + " object use POST /api/s3/download");
        }
        return existing(call, requestedKey, key -> signer.presignListParts(key,
            KeyPolicy.checkUploadId(uploadId), maxSeconds));
      }
      case "DELETE" -> {
        if (uploadId != null) {
          return existing(call, requestedKey, key -> signer.presignAbortMultipartUpload(key,
              KeyPolicy.checkUploadId(uploadId), maxSeconds));
        }
        if (!allowDelete) {
          throw PolicyException.denied("delete", "deleting objects is not enabled on this gateway (ALLOW_DELETE)");
        }
        return existing(call, requestedKey, key -> signer.presignDeleteObject(key, maxSeconds));
      }
      default -> throw PolicyException.invalid("method", "method must be PUT, POST, GET or DELETE");
    }
  }

  /** A new object: the gateway makes its key from the last segment of the one the client proposed. */
  private UploadPlan newUpload(Call call, String requestedKey, String contentType) {
    String name = requestedKey.substring(requestedKey.lastIndexOf('/') + 1);
    UploadPlan plan = policy.plan(call.caller(), new UploadRequest(name, contentType, null, null, null));
    call.audit(plan.key(), null, contentType);
    return plan;
  }

  /** A request on an object or upload the caller made: its key must be under the caller's prefixes. */
  private String existing(Call call, String requestedKey, java.util.function.Function<String, PresignedUpload> sign) {
    String key = policy.writableKey(call.caller(), requestedKey);
    call.audit(key, null, null);
    return Answers.signed(sign.apply(key), null, "url");
  }

  private static long maxSeconds(Long expiresIn) {
    if (expiresIn == null) {
      return UrlSigner.CONFIGURED_TTL;
    }
    if (expiresIn < 1) {
      throw PolicyException.invalid("expiresIn", "expiresIn must be a whole number of seconds, at least 1");
    }
    return expiresIn;
  }
}
