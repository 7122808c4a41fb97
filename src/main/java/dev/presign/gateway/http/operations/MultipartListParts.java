package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.s3.S3Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * {@code POST /api/s3/multipart/parts} {@code {key, uploadId}} → {@code {parts:[{partNumber, etag, size}]}}: what S3
 * holds of an upload of the caller's (to resume one), every page of it.
 */
public final class MultipartListParts implements Operation {
  private final KeyPolicy policy;
  private final S3Api s3;

  public MultipartListParts(KeyPolicy policy, S3Api s3) {
    this.policy = policy;
    this.s3 = s3;
  }

  @Override
  public Object answer(Call call) {
    MultipartBody.Existing upload = MultipartBody.existing(call, policy);
    return MultipartCalls.listParts(s3, upload.key(), upload.uploadId()).map(parts -> {
      JsonArray list = new JsonArray();
      for (Part p : parts) {
        list.add(new JsonObject().put("partNumber", p.partNumber()).put("etag", p.eTag()).put("size", p.size()));
      }
      return new JsonObject().put("parts", list).encode();
    });
  }
}
