package dev.presign.gateway.policy;

/**
 * S3's multipart limits, and the part size the gateway chooses for a declared size: the smallest whole number of
 * MiB, at least 5 MiB, that covers the size in at most 10,000 parts.
 */
public final class PartSizes {
  public static final long MIB = 1024 * 1024;
  /** S3's smallest part (all but the last). */
  public static final long MIN_PART = 5 * MIB;
  /** S3's largest part. */
  public static final long MAX_PART = 5L * 1024 * MIB;
  public static final int MAX_PARTS = 10_000;
  /** S3's largest object: 5 TiB. */
  public static final long MAX_OBJECT = 5L * 1024 * 1024 * MIB;

  private PartSizes() {}

  /** The part size for an upload of {@code size} bytes (0 to 5 TiB). */
  public static long partSize(long size) {
    if (size < 0 || size > MAX_OBJECT) {
      throw new IllegalArgumentException("size " + size + " is not between 0 and 5 TiB");
    }
    long perPart = (size + MAX_PARTS - 1) / MAX_PARTS;
    long mib = Math.max(MIN_PART, (perPart + MIB - 1) / MIB * MIB);
    return Math.min(mib, MAX_PART);
  }

  /** How many parts of {@code partSize} make {@code size} bytes: at least one (an empty upload has one empty part). */
  public static int partCount(long size, long partSize) {
    return (int) Math.max(1, (size + partSize - 1) / partSize);
  }
}
