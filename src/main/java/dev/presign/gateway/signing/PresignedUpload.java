package dev.presign.gateway.signing;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/** A signed PUT: the URL, and every header the client must send with exactly these values. */
public final class PresignedUpload {
  private final String key;
  private final String url;
  private final String[] signed;
  private final Instant expiresAt;

  /** {@code signed}: the value of each {@link SignedHeader} by ordinal, null where not signed. */
  public PresignedUpload(String key, String url, String[] signed, Instant expiresAt) {
    this.key = key;
    this.url = url;
    this.signed = signed;
    this.expiresAt = expiresAt;
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
