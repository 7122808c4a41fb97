package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.JsonFields;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.policy.ContentDisposition;
import dev.presign.gateway.policy.FileNames;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.signing.UrlSigner;

/**
 * {@code POST /api/s3/download} {@code {key, filename?}} → a presigned GET for a key the caller may read (its own
 * prefixes, and {@code READ_PREFIXES}). {@code filename} is signed as {@code response-content-disposition}
 * ({@code attachment}), so S3 answers with it as Content-Disposition. Pure signing: a key that does not exist is
 * S3's 404 when the URL is used.
 */
public final class PresignDownload implements Operation {
  private static final String[] MEMBERS = {"key", "filename"};

  private final KeyPolicy policy;
  private final UrlSigner signer;

  public PresignDownload(KeyPolicy policy, UrlSigner signer) {
    this.policy = policy;
    this.signer = signer;
  }

  @Override
  public Object answer(Call call) {
    Object[] fields = JsonFields.read(call.body(), MEMBERS, 0);
    String key = policy.readableKey(call.caller(), (String) fields[0]);
    call.audit(key, null, null);
    String filename = (String) fields[1];
    String disposition = filename == null ? null : ContentDisposition.attachment(FileNames.sanitize(filename));
    return Answers.signed(signer.presignGet(key, disposition, UrlSigner.CONFIGURED_TTL), key, "url");
  }
}
