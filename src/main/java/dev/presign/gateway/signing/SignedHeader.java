package dev.presign.gateway.signing;

/**
 * The headers a presigned request may sign besides Host (PutObject all of them, CreateMultipartUpload the content
 * type and encryption ones, the other requests none), in SigV4's canonical (ascending) order. Host sorts between
 * {@link #CONTENT_TYPE} and {@link #CHECKSUM_SHA256}. Values travel as a {@code String[]} indexed by ordinal, null
 * where a header is not signed: a presign then allocates no map.
 */
public enum SignedHeader {
  CONTENT_LENGTH("content-length", "Content-Length"),
  CONTENT_TYPE("content-type", "Content-Type"),
  CHECKSUM_SHA256("x-amz-checksum-sha256", "x-amz-checksum-sha256"),
  /** The SDK signs it beside a checksum; the client must send it too. */
  SDK_CHECKSUM_ALGORITHM("x-amz-sdk-checksum-algorithm", "x-amz-sdk-checksum-algorithm"),
  SERVER_SIDE_ENCRYPTION("x-amz-server-side-encryption", "x-amz-server-side-encryption"),
  SSE_KMS_KEY_ID("x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-aws-kms-key-id");

  private static final SignedHeader[] ALL = values();
  /** Number of headers: the length of a values array. */
  public static final int COUNT = ALL.length;

  /** Lower-case, as signed. */
  public final String canonicalName;
  /** As the answer lists it for clients. */
  public final String clientName;

  SignedHeader(String canonicalName, String clientName) {
    this.canonicalName = canonicalName;
    this.clientName = clientName;
  }

  /** True for the headers that sort after "host". */
  boolean afterHost() {
    return ordinal() > CONTENT_TYPE.ordinal();
  }

  static SignedHeader ofCanonicalName(String name) {
    for (SignedHeader h : ALL) {
      if (h.canonicalName.equalsIgnoreCase(name)) {
        return h;
      }
    }
    throw new IllegalArgumentException("the gateway does not sign header " + name);
  }

  static SignedHeader at(int ordinal) {
    return ALL[ordinal];
  }
}
