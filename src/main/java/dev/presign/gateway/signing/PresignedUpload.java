package dev.presign.gateway.signing;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A presigned S3 request: its method and URL, and every header the client must send with exactly these values.
 * Named after its first use, the upload's PUT; {@link UrlSigner} makes one for each request of an upload or download
 * (GET, the multipart requests, DeleteObject).
 */
public final class PresignedUpload {
  private final String method;
  private final String key;
  private final String url;
  private final String[] signed;
  private final Instant expiresAt;
  private final boolean urlJsonPlain;

  /** A presigned PUT. {@code signed}: the value of each {@link SignedHeader} by ordinal, null where not signed. */
  public PresignedUpload(String key, String url, String[] signed, Instant expiresAt) {
    this("PUT", key, url, signed, expiresAt);
  }

  /** {@code method}: upper case, as the client must send it; {@code signed} as in the PUT constructor. */
  public PresignedUpload(String method, String key, String url, String[] signed, Instant expiresAt) {
    this(method, key, url, signed, expiresAt, false);
  }

  /**
   * {@code urlJsonPlain}: the maker guarantees {@code url} is visible ASCII without '"' or '\\'
   * ({@link SigV4Presigner#isJsonPlain}), so answers write it without scanning it for escapes. Only the fast signer,
   * whose URLs are that by construction, says so.
   */
  PresignedUpload(String method, String key, String url, String[] signed, Instant expiresAt, boolean urlJsonPlain) {
    this.method = method;
    this.key = key;
    this.url = url;
    this.signed = signed;
    this.expiresAt = expiresAt;
    this.urlJsonPlain = urlJsonPlain;
  }

  /** True when {@link #url} needs no JSON escaping, as its maker guarantees; false when unknown. */
  public boolean urlJsonPlain() {
    return urlJsonPlain;
  }

  /** GET, PUT, POST or DELETE. */
  public String method() {
    return method;
  }

  public String key() {
    return key;
  }

  public String url() {
    return url;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  /** Each header the client must send (its usual spelling) and its value, in signing order. */
  public void forEachHeader(BiConsumer<String, String> action) {
    for (int i = 0; i < signed.length; i++) {
      if (signed[i] != null) {
        action.accept(SignedHeader.at(i).clientName, signed[i]);
      }
    }
  }

  /** The same as a map, in signing order. */
  public Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>();
    forEachHeader(headers::put);
    return headers;
  }
}
