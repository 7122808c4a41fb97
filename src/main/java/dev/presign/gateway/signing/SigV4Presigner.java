package dev.presign.gateway.signing;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * SigV4 query-string presigning for S3 PUT, written for the request path: the signing key is derived once per
 * day, region and secret; digests and MACs are reused; nothing is parsed per request. It produces the same URL,
 * byte for byte, as the AWS SDK's presigner for the same inputs and clock (a differential test holds it to that).
 *
 * <p>Not thread-safe: each event loop owns one (see {@link UrlSigner}), so no lock is ever taken.
 */
public final class SigV4Presigner {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

  /** Where URLs point, learned once from the SDK: scheme, host[:port], and the path before the key. */
  public record Target(String scheme, String authority, String pathPrefix) {
    /** Splits an SDK-made URL for {@code probeKey} into the parts that do not depend on the key. */
    public static Target fromProbe(URI url, String probeKey) {
      String path = url.getRawPath();
      String suffix = "/" + probeKey;
      if (!path.endsWith(suffix)) {
        throw new IllegalStateException("unexpected presigned URL layout: " + url.getScheme() + "://"
            + url.getRawAuthority() + path);
      }
      return new Target(url.getScheme(), url.getRawAuthority(), path.substring(0, path.length() - suffix.length()));
    }
  }

  private final Target target;
  private final String region;
  private final String scopeSuffix;
  private final MessageDigest sha256;
  private final Mac hmac;
  private final StringBuilder buffer = new StringBuilder(1024);
  private String keyDate;
  private String keySecret;
  private byte[] signingKey;

  public SigV4Presigner(Target target, String region) {
    this.target = target;
    this.region = region;
    this.scopeSuffix = "/" + region + "/s3/aws4_request";
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
      this.hmac = Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A presigned PUT URL. {@code headers} are the signed headers other than host, lower-case names in ascending
   * order (the caller keeps them so), values as the client will send them.
   */
  public String presignPut(String key, TreeMap<String, String> headers, AwsCredentials credentials, Instant now,
                           long expiresSeconds) {
    String amzDate = AMZ_DATE.format(now);
    String date = amzDate.substring(0, 8);
    String credential = credentials.accessKeyId() + "/" + date + scopeSuffix;
    String token = credentials instanceof AwsSessionCredentials s ? s.sessionToken() : null;

    StringBuilder sb = buffer;
    sb.setLength(0);
    sb.append(target.pathPrefix()).append('/');
    encode(sb, key, false);
    String path = sb.toString();

    StringBuilder signedHeaders = new StringBuilder(64);
    boolean hostWritten = false;
    for (String name : headers.keySet()) {
      if (!hostWritten && name.compareTo("host") > 0) {
        signedHeaders.append(signedHeaders.length() == 0 ? "" : ";").append("host");
        hostWritten = true;
      }
      signedHeaders.append(signedHeaders.length() == 0 ? "" : ";").append(name);
    }
    if (!hostWritten) {
      signedHeaders.append(signedHeaders.length() == 0 ? "" : ";").append("host");
    }
    String signed = signedHeaders.toString();

    // Canonical query: parameters in name order.
    sb.setLength(0);
    sb.append("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
    encode(sb, credential, true);
    sb.append("&X-Amz-Date=").append(amzDate).append("&X-Amz-Expires=").append(expiresSeconds);
    if (token != null) {
      sb.append("&X-Amz-Security-Token=");
      encode(sb, token, true);
    }
    sb.append("&X-Amz-SignedHeaders=");
    encode(sb, signed, true);
    String canonicalQuery = sb.toString();

    sb.setLength(0);
    sb.append("PUT\n").append(path).append('\n').append(canonicalQuery).append('\n');
    boolean hostDone = false;
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (!hostDone && h.getKey().compareTo("host") > 0) {
        sb.append("host:").append(target.authority()).append('\n');
        hostDone = true;
      }
      sb.append(h.getKey()).append(':');
      appendTrimmed(sb, h.getValue());
      sb.append('\n');
    }
    if (!hostDone) {
      sb.append("host:").append(target.authority()).append('\n');
    }
    sb.append('\n').append(signed).append("\nUNSIGNED-PAYLOAD");
    byte[] canonicalHash = sha256.digest(sb.toString().getBytes(StandardCharsets.UTF_8));

    sb.setLength(0);
    sb.append("AWS4-HMAC-SHA256\n").append(amzDate).append('\n').append(date).append(scopeSuffix).append('\n');
    hex(sb, canonicalHash);
    byte[] signature = hmac(signingKey(credentials.secretAccessKey(), date), sb.toString());

    // The URL lists parameters in the SDK's order, not the canonical one.
    sb.setLength(0);
    sb.append(target.scheme()).append("://").append(target.authority()).append(path).append('?');
    if (token != null) {
      sb.append("X-Amz-Security-Token=");
      encode(sb, token, true);
      sb.append('&');
    }
    sb.append("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=").append(amzDate).append("&X-Amz-SignedHeaders=");
    encode(sb, signed, true);
    sb.append("&X-Amz-Credential=");
    encode(sb, credential, true);
    sb.append("&X-Amz-Expires=").append(expiresSeconds).append("&X-Amz-Signature=");
    hex(sb, signature);
    return sb.toString();
  }

  private byte[] signingKey(String secret, String date) {
    if (!date.equals(keyDate) || !secret.equals(keySecret)) {
      byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
      k = hmac(k, region);
      k = hmac(k, "s3");
      signingKey = hmac(k, "aws4_request");
      keyDate = date;
      keySecret = secret;
    }
    return signingKey;
  }

  private byte[] hmac(byte[] key, String data) {
    try {
      hmac.init(new SecretKeySpec(key, "HmacSHA256"));
      return hmac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, '/' kept in paths. */
  static void encode(StringBuilder out, String value, boolean encodeSlash) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
        out.append(c);
      } else if (c < 0x80) {
        percent(out, c);
      } else {
        int cp = value.codePointAt(i);
        if (Character.charCount(cp) == 2) {
          i++;
        }
        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
          percent(out, b & 0xff);
        }
      }
    }
  }

  private static void percent(StringBuilder out, int b) {
    out.append('%').append(HEX_UPPER[b >> 4]).append(HEX_UPPER[b & 0xf]);
  }

  /** SigV4 canonical header value: trimmed, runs of spaces collapsed to one. */
  private static void appendTrimmed(StringBuilder out, String value) {
    String v = value.strip();
    boolean space = false;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == ' ') {
        if (!space) {
          out.append(c);
        }
        space = true;
      } else {
        out.append(c);
        space = false;
      }
    }
  }

  private static void hex(StringBuilder out, byte[] bytes) {
    for (byte b : bytes) {
      out.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
    }
  }
}
