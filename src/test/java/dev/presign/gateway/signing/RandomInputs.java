package dev.presign.gateway.signing;

import java.net.URI;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Seeded generators for the differential tests: every input the signer takes, awkward ones often. Plain
 * {@link Random}, so that a failure names its seed and case and replays exactly.
 */
final class RandomInputs {
  /** The seed of every differential test; {@code -Ddifferential.seed=N} replays another run. */
  static final long SEED = Long.getLong("differential.seed", 0x5167_4ABCL);

  private static final String KEY_CHARS = "abcXYZ019 +%~!*'()&$@=;:,?#[]{}^`|\"<>-_.";
  private static final List<String> KEY_PIECES =
      List.of("ü", "日本語", "😀", "e\u0301", "%20", "a+b", "~user", "..x", "a b", "%", "+", "~");
  private static final String BASE64URLISH = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
  private static final String BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
  private static final String ODD_ID_CHARS = "aZ09 ~%&?#+/=.-_:é日😀";

  private RandomInputs() {}

  /** Where URLs point: bucket, region, endpoint ("" for AWS's own) and addressing style. */
  record Setup(String bucket, String region, String endpoint, boolean pathStyle) {
    S3Presigner presigner() {
      S3Presigner.Builder b = S3Presigner.builder().region(Region.of(region))
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("UNUSED", "UNUSED")))
          .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle)
              .useArnRegionEnabled(false).multiRegionEnabled(false).checksumValidationEnabled(false).build());
      if (!endpoint.isEmpty()) {
        b.endpointOverride(URI.create(endpoint));
      }
      return b.build();
    }
  }

  static Setup setup(Random r) {
    return new Setup(
        pick(r, "uploads", "my-bucket-2026", "a.b.c", "x1y", "test-bucket"),
        pick(r, "us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"),
        pick(r, "", "http://127.0.0.1:9000", "http://localhost:4566", "https://minio.example.com",
            "https://s3.internal.example:8443"),
        r.nextBoolean());
  }

  /** Keys as S3 takes them: 1 to 4 segments of ASCII punctuation, any Unicode, known troublemakers; some long. */
  static String key(Random r) {
    while (true) {
      int segments = 1 + r.nextInt(4);
      StringBuilder key = new StringBuilder();
      for (int i = 0; i < segments; i++) {
        if (i > 0) {
          key.append('/');
        }
        key.append(switch (r.nextInt(10)) {
          case 0, 1, 2, 3 -> chars(r, KEY_CHARS, 1 + r.nextInt(12));
          case 4, 5, 6 -> codePoints(r, 1 + r.nextInt(8));
          case 7, 8 -> KEY_PIECES.get(r.nextInt(KEY_PIECES.size()));
          default -> codePoints(r, 100 + r.nextInt(200));
        });
      }
      String k = key.toString();
      List<String> parts = List.of(k.split("/", -1));
      if (!parts.contains("") && !parts.contains(".") && !parts.contains("..")) {
        return k;
      }
    }
  }

  /** Random code points, any plane, no lone surrogates (a key is valid UTF-8). */
  static String codePoints(Random r, int count) {
    StringBuilder s = new StringBuilder();
    while (s.codePointCount(0, s.length()) < count) {
      int cp = switch (r.nextInt(4)) {
        case 0 -> r.nextInt(0x80);
        case 1 -> 0x80 + r.nextInt(0x800 - 0x80);
        case 2 -> 0x800 + r.nextInt(0x10000 - 0x800);
        default -> 0x10000 + r.nextInt(0x110000 - 0x10000);
      };
      if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
        s.appendCodePoint(cp);
      }
    }
    return s.toString();
  }

  /** Random and repeated ones, basic and session, so that the signer's per-credentials caches are hit and replaced. */
  static AwsCredentials credentials(Random r) {
    switch (r.nextInt(6)) {
      case 0:
        return AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
      case 1:
        return AwsSessionCredentials.create("ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "FwoG+/z==");
      case 2:
        return AwsSessionCredentials.create("ASIAIOSFODNN7EXAMPLE", "other/secret+key", "IQoJb3JpZ2luX2VjE%");
      default:
        String id = chars(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 20);
        String secret = chars(r, "abcdXYZ0189+/", 8 + r.nextInt(33));
        return r.nextBoolean() ? AwsBasicCredentials.create(id, secret)
            : AwsSessionCredentials.create(id, secret, chars(r, "abcXYZ0189+/=%-_.~", 1 + r.nextInt(60)));
    }
  }

  /** 1 s to SigV4's maximum of 7 days, the edges often. */
  static int expires(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> 1;
      case 1 -> 604_800;
      default -> 1 + r.nextInt(604_800);
    };
  }

  /** S3's upload ids (long, base64url-ish with '.', '-', '_'), base64 ones with '+', '/', '=', and odd ones. */
  static String uploadId(Random r) {
    return switch (r.nextInt(10)) {
      case 0, 1, 2, 3, 4 -> chars(r, BASE64URLISH, 40 + r.nextInt(180));
      case 5, 6, 7 -> chars(r, BASE64, 1 + r.nextInt(100));
      case 8 -> java.util.UUID.randomUUID().toString();
      default -> chars(r, ODD_ID_CHARS, 1 + r.nextInt(30));
    };
  }

  static int partNumber(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> 1;
      case 1 -> 10_000;
      default -> 1 + r.nextInt(10_000);
    };
  }

  /**
   * Content-Disposition values as a download asks for them: plain, quoted file names with any characters in them
   * (quotes, backslashes, non-ASCII), RFC 5987 {@code filename*=UTF-8''…}, both, and oddities.
   */
  static String disposition(Random r) {
    String name = r.nextBoolean() ? key(r).replace('/', '_') : codePoints(r, 1 + r.nextInt(20));
    String quoted = name.replace("\\", "\\\\").replace("\"", "\\\"");
    String rfc5987 = rfc5987(name);
    return switch (r.nextInt(8)) {
      case 0 -> pick(r, "attachment", "inline", "");
      case 1 -> "attachment; filename=\"" + quoted + "\"";
      case 2 -> "attachment; filename*=UTF-8''" + rfc5987;
      case 3 -> "attachment; filename=\"" + quoted + "\"; filename*=UTF-8''" + rfc5987;
      case 4 -> "inline;  filename=" + name;
      case 5 -> " attachment ;filename=\"" + name + "\" ";
      default -> "attachment; filename=\"" + chars(r, "ab \"'\\;=*%&+~", 1 + r.nextInt(10)) + "\"";
    };
  }

  /** RFC 5987 ext-value: attr-chars kept, every other UTF-8 byte %XX. */
  static String rfc5987(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** Content types, null often (not signed), some with the spaces SigV4 trims and collapses. */
  static String contentType(Random r) {
    return switch (r.nextInt(10)) {
      case 0, 1, 2 -> null;
      case 3 -> RandomInputs.pick(r, "  text/plain;   charset=utf-8 ", "text/plain;\tcharset=utf-8", "\ttext/plain \t");
      case 4 -> "multipart/form-data; boundary=\"a b+c\"";
      default -> pick(r, "text/plain", "image/png", "application/octet-stream", "text/plain; charset=utf-8",
          "application/vnd.ms-excel", "video/mp4");
    };
  }

  /** [sse, kms key id]: none, AES256, aws:kms with the bucket's default key or a named one. */
  static String[] encryption(Random r) {
    return switch (r.nextInt(4)) {
      case 0 -> new String[] {null, null};
      case 1 -> new String[] {"AES256", null};
      case 2 -> new String[] {"aws:kms", null};
      default -> new String[] {"aws:kms", pick(r, "1234abcd-12ab-34cd-56ef-1234567890ab", "alias/uploads",
          "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")};
    };
  }

  static String checksum(Random r) {
    byte[] digest = new byte[32];
    r.nextBytes(digest);
    return Base64.getEncoder().encodeToString(digest);
  }

  /** Any second from 2000 to 2099, the last and first seconds of a day often (the signing key changes at midnight). */
  static Instant instant(Random r) {
    long day = r.nextInt(36_524);
    long second = switch (r.nextInt(4)) {
      case 0 -> 86_399;
      case 1 -> 0;
      default -> r.nextInt(86_400);
    };
    return Instant.parse("2000-01-01T00:00:00Z").plusSeconds(day * 86_400 + second).plusNanos(r.nextInt(1_000_000_000));
  }

  static String chars(Random r, String alphabet, int length) {
    int[] cps = alphabet.codePoints().toArray();
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.appendCodePoint(cps[r.nextInt(cps.length)]);
    }
    return s.toString();
  }

  @SafeVarargs
  static <T> T pick(Random r, T... values) {
    return values[r.nextInt(values.length)];
  }
}
