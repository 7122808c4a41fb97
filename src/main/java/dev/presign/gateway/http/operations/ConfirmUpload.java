package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.JsonFields;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.s3.S3Api;
import io.vertx.core.json.JsonObject;

/**
 * {@code POST /api/s3/uploads/confirm} {@code {key}} → {@code {key, size, etag, contentType, lastModified}} from S3's
 * HeadObject: proof that an upload really happened, and what S3 stored. The key must be one the caller may read;
 * a key with no object is a 404 problem.
 */
public final class ConfirmUpload implements Operation {
  private static final String[] MEMBERS = {"key"};

  private final KeyPolicy policy;
  private final S3Api s3;

  public ConfirmUpload(KeyPolicy policy, S3Api s3) {
    this.policy = policy;
    this.s3 = s3;
  }

  @Override
  public Object answer(Call call) {
    Object[] fields = JsonFields.read(call.body(), MEMBERS, 0);
    String key = policy.readableKey(call.caller(), (String) fields[0]);
    call.audit(key, null, null);
    return S3Problems.answer(s3.call("head_object", c -> c.headObject(b -> b.bucket(s3.bucket()).key(key))),
            "no object with this key: not uploaded, or its multipart upload not completed", s3.callTimeout())
        .map(head -> {
          call.audit(key, head.contentLength(), head.contentType());
          return new JsonObject().put("key", key).put("size", head.contentLength()).put("etag", head.eTag())
              .put("contentType", head.contentType())
              .put("lastModified", head.lastModified() == null ? null : head.lastModified().toString())
              .encode();
        });
  }
}
