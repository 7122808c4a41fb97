package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.s3.S3Api;

/** {@code POST /api/s3/multipart/abort} {@code {key, uploadId}} → {@code {}}: S3 drops the upload and its parts. */
public final class MultipartAbort implements Operation {
  private final KeyPolicy policy;
  private final S3Api s3;

  public MultipartAbort(KeyPolicy policy, S3Api s3) {
    this.policy = policy;
    this.s3 = s3;
  }

  @Override
  public Object answer(Call call) {
    MultipartBody.Existing upload = MultipartBody.existing(call, policy);
    return MultipartCalls.abortExisting(s3, upload.key(), upload.uploadId()).map(v -> "{}");
  }
}
