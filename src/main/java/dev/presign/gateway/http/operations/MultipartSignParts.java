package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.s3.S3Api;
import dev.presign.gateway.signing.UrlSigner;
import java.util.List;

/**
 * {@code POST /api/s3/multipart/sign} {@code {key, uploadId, partNumbers:[…]}} → {@code {parts:[{partNumber, url,
 * method, headers, expiresAt}]}}: UploadPart URLs for many parts in one call, for a key under the caller's prefixes
 * and an upload S3 knows for that key (asked once: a forged upload id is refused here, not by S3 later).
 */
public final class MultipartSignParts implements Operation {
  /** Parts one call signs at most: a screen of URLs (~40 KB), and a browser uploads a few parts at a time. */
  static final int MAX_PARTS_PER_CALL = 100;

  private final KeyPolicy policy;
  private final UrlSigner signer;
  private final S3Api s3;

  public MultipartSignParts(KeyPolicy policy, UrlSigner signer, S3Api s3) {
    this.policy = policy;
    this.signer = signer;
    this.s3 = s3;
  }

  @Override
  public Object answer(Call call) {
    MultipartBody.Existing upload = MultipartBody.existing(call, policy);
    List<Integer> parts = upload.body().partNumbers();
    if (parts == null || parts.isEmpty()) {
      throw PolicyException.invalid("partNumbers", "partNumbers must list at least one part number");
    }
    return MultipartCalls.exists(s3, upload.key(), upload.uploadId())
        .map(v -> sign(upload.key(), upload.uploadId(), parts));
  }

  /** The answer's JSON, each part's URL signed on the spot. */
  String sign(String key, String uploadId, List<Integer> parts) {
    StringBuilder json = new StringBuilder(parts.size() * 700).append("{\"parts\":[");
    for (int i = 0; i < parts.size(); i++) {
      int part = parts.get(i);
      String signed = Answers.signed(signer.presignUploadPart(key, uploadId, part, UrlSigner.CONFIGURED_TTL), null,
          "url");
      json.append(i == 0 ? "" : ",").append("{\"partNumber\":").append(part).append(',').append(signed, 1,
          signed.length());
    }
    return json.append("]}").toString();
  }
}
