package dev.presign.gateway.signing;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * SigV4 query-string presigning for any S3 request (method, key, the operation's query parameters, signed
 * headers), written for the request path. Everything that does not change per URL is computed once and kept: the
 * signing key (per day and secret, its MAC keyed once), the encoded credential scope (per access key and day), the
 * date (per second), the signed-header lists (per set of headers), the encoded session token. A URL is built in
 * reused byte buffers, hashed and MACed in place; the only allocation is the URL string itself. It produces the same
 * URL, byte for byte, as the AWS SDK's presigner for the same inputs and clock (a differential test holds it to
 * that, for every operation the gateway signs).
 *
 * <p>Not thread-safe: each event loop owns one (see {@link UrlSigner}), so no lock is ever taken.
 */
public final class SigV4Presigner {
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final byte[] HEX = ascii("0123456789abcdef");
  private static final byte[] HEX_UPPER = ascii("0123456789ABCDEF");
  private static final byte[] ALGORITHM = ascii("AWS4-HMAC-SHA256");
  private static final String[] NO_QUERY = {};

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

  private final byte[] origin;
  private final byte[] pathPrefix;
  private final byte[] hostLine;
  private final String region;
  private final byte[] scopeSuffix;
  private final MessageDigest sha256;
  private final Mac hmac;

  private final Bytes path = new Bytes(256);
  private final Bytes canonical = new Bytes(1024);
  private final Bytes toSign = new Bytes(160);
  private final Bytes url = new Bytes(1024);
  private final byte[] digest = new byte[32];
  private final byte[] signature = new byte[32];
  /** Indexes of the query's names in name order, for the canonical query (reused: no allocation per URL). */
  private int[] order = new int[4];

  /** yyyyMMdd'T'HHmmss'Z' of {@link #second}; its first 8 bytes are the date. */
  private final byte[] amzDate = new byte[16];
  private long second = Long.MIN_VALUE;
  /** The day and secret {@link #hmac} is keyed for. */
  private final byte[] keyDate = new byte[8];
  private String keySecret;
  /** Percent-encoded "access key/date/region/s3/aws4_request", for {@link #credentialKeyId} on {@link #credentialDate}. */
  private byte[] credential;
  private String credentialKeyId;
  private final byte[] credentialDate = new byte[8];
  private String token;
  private byte[] tokenEncoded;
  /** Per set of signed headers (bit i = {@link SignedHeader} ordinal i): the list as signed, and percent-encoded. */
  private final byte[][] signedHeaders = new byte[1 << SignedHeader.COUNT][];
  private final byte[][] signedHeadersEncoded = new byte[1 << SignedHeader.COUNT][];

  public SigV4Presigner(Target target, String region) {
    if (!isJsonPlain(target.scheme() + "://" + target.authority() + target.pathPrefix())) {
      throw new IllegalArgumentException("the bucket's URL must be visible ASCII without '\"' or '\\'");
    }
    this.origin = ascii(target.scheme() + "://" + target.authority());
    this.pathPrefix = ascii(target.pathPrefix() + "/");
    this.hostLine = ascii("host:" + target.authority() + "\n");
    this.region = region;
    this.scopeSuffix = ascii("/" + region + "/s3/aws4_request");
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
      this.hmac = Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A presigned PUT URL. {@code headers} holds the value of each {@link SignedHeader} by ordinal (null: not
   * signed), as the client will send it.
   */
  public String presignPut(String key, String[] headers, AwsCredentials credentials, Instant now,
                           long expiresSeconds) {
    return presign("PUT", key, headers, NO_QUERY, credentials, now, expiresSeconds);
  }

  /**
   * A presigned URL for any S3 request on {@code key}.
   *
   * @param method  the HTTP method, upper case
   * @param headers the value of each {@link SignedHeader} by ordinal (null: not signed), as the client will send it
   * @param query   the operation's own query parameters as {@code {name, value, name, value, ...}}, in the order the
   *                URL lists them (the SDK's: before the X-Amz-* ones, as its marshaller adds them); a null value is a
   *                parameter without one ({@code ?uploads}). Names are distinct and S3's own, which need no
   *                percent-encoding: the canonical query sorts them as they are, as SigV4 sorts encoded names.
   */
  public String presign(String method, String key, String[] headers, String[] query, AwsCredentials credentials,
                        Instant now, long expiresSeconds) {
    setClock(now.getEpochSecond());
    byte[] credentialScope = credential(credentials.accessKeyId());
    byte[] sessionToken = sessionToken(credentials);
    int mask = 0;
    for (int i = 0; i < SignedHeader.COUNT; i++) {
      if (headers[i] != null) {
        mask |= 1 << i;
      }
    }
    byte[] signed = signedHeaders(mask);
    byte[] signedEncoded = signedHeadersEncoded[mask];
    int params = sortQuery(query);

    path.clear();
    path.append(pathPrefix);
    encode(path, key, false);

    // Canonical request; all of the query's parameters, the operation's and X-Amz-*, in name order.
    Bytes c = canonical;
    c.clear();
    c.ascii(method).append('\n').append(path).append('\n');
    int start = c.len;
    int next = name(c, start, query, params, 0, "X-Amz-Algorithm");
    c.append(ALGORITHM);
    next = name(c, start, query, params, next, "X-Amz-Credential");
    c.append(credentialScope);
    next = name(c, start, query, params, next, "X-Amz-Date");
    c.append(amzDate);
    next = name(c, start, query, params, next, "X-Amz-Expires");
    c.number(expiresSeconds);
    if (sessionToken != null) {
      next = name(c, start, query, params, next, "X-Amz-Security-Token");
      c.append(sessionToken);
    }
    next = name(c, start, query, params, next, "X-Amz-SignedHeaders");
    c.append(signedEncoded);
    for (; next < params; next++) {
      c.append('&');
      canonicalParam(c, query, order[next]);
    }
    c.append('\n');
    boolean hostDone = false;
    for (int i = 0; i < SignedHeader.COUNT; i++) {
      String value = headers[i];
      if (value == null) {
        continue;
      }
      SignedHeader header = SignedHeader.at(i);
      if (!hostDone && header.afterHost()) {
        c.append(hostLine);
        hostDone = true;
      }
      c.ascii(header.canonicalName).append(':');
      appendTrimmed(c, value);
      c.append('\n');
    }
    if (!hostDone) {
      c.append(hostLine);
    }
    c.append('\n').append(signed).ascii("\nUNSIGNED-PAYLOAD");

    Bytes s = toSign;
    s.clear();
    s.append(ALGORITHM).append('\n').append(amzDate).append('\n').append(amzDate, 0, 8).append(scopeSuffix)
        .append('\n');
    try {
      sha256.update(c.buf, 0, c.len);
      sha256.digest(digest, 0, digest.length);
      s.hex(digest);
      keyFor(credentials.secretAccessKey());
      hmac.update(s.buf, 0, s.len);
      hmac.doFinal(signature, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }

    // The URL lists parameters in the SDK's order, not the canonical one: the operation's first, as given.
    Bytes u = url;
    u.clear();
    u.append(origin).append(path).append('?');
    for (int i = 0; i < query.length; i += 2) {
      encode(u, query[i], true);
      if (query[i + 1] != null) {
        u.append('=');
        encode(u, query[i + 1], true);
      }
      u.append('&');
    }
    if (sessionToken != null) {
      u.ascii("X-Amz-Security-Token=").append(sessionToken).append('&');
    }
    u.ascii("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=").append(amzDate);
    u.ascii("&X-Amz-SignedHeaders=").append(signedEncoded);
    u.ascii("&X-Amz-Credential=").append(credentialScope);
    u.ascii("&X-Amz-Expires=").number(expiresSeconds).ascii("&X-Amz-Signature=").hex(signature);
    return u.toAsciiString();
  }

  /**
   * Visible ASCII other than '"' and '\\': text JSON carries as it is. Every URL {@link #presign} makes is such text
   * (an origin and bucket path checked here once, then only percent-encoded parts, fixed names and hex), so that
   * answers can write it without scanning it for escapes.
   */
  public static boolean isJsonPlain(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c > '~' || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /** Fills {@link #order} with the indexes of {@code query}'s names, sorted by name; returns how many there are. */
  private int sortQuery(String[] query) {
    int n = query.length / 2;
    if (order.length < n) {
      order = new int[n];
    }
    for (int i = 0; i < n; i++) {
      int name = 2 * i;
      int j = i;
      for (; j > 0 && query[order[j - 1]].compareTo(query[name]) > 0; j--) {
        order[j] = order[j - 1];
      }
      order[j] = name;
    }
    return n;
  }

  /**
   * Appends, in the canonical query, the operation's parameters from {@code next} on that sort before
   * {@code amzName}, then {@code amzName=}; returns the first of the operation's parameters not yet appended.
   */
  private int name(Bytes c, int start, String[] query, int params, int next, String amzName) {
    for (; next < params && query[order[next]].compareTo(amzName) < 0; next++) {
      if (c.len > start) {
        c.append('&');
      }
      canonicalParam(c, query, order[next]);
    }
    if (c.len > start) {
      c.append('&');
    }
    c.ascii(amzName).append('=');
    return next;
  }

  /** {@code name=value}, both encoded; a parameter without a value is signed with an empty one. */
  private static void canonicalParam(Bytes c, String[] query, int name) {
    encode(c, query[name], true);
    c.append('=');
    if (query[name + 1] != null) {
      encode(c, query[name + 1], true);
    }
  }

  private void setClock(long epochSecond) {
    if (epochSecond != second) {
      byte[] formatted = ascii(AMZ_DATE.format(Instant.ofEpochSecond(epochSecond)));
      System.arraycopy(formatted, 0, amzDate, 0, amzDate.length);
      second = epochSecond;
    }
  }

  private byte[] credential(String accessKeyId) {
    if (credential == null || !accessKeyId.equals(credentialKeyId)
        || !Arrays.equals(credentialDate, 0, 8, amzDate, 0, 8)) {
      Bytes b = new Bytes(128);
      encode(b, accessKeyId + "/" + new String(amzDate, 0, 8, StandardCharsets.US_ASCII)
          + new String(scopeSuffix, StandardCharsets.US_ASCII), true);
      credential = b.toArray();
      credentialKeyId = accessKeyId;
      System.arraycopy(amzDate, 0, credentialDate, 0, 8);
    }
    return credential;
  }

  private byte[] sessionToken(AwsCredentials credentials) {
    if (!(credentials instanceof AwsSessionCredentials session)) {
      return null;
    }
    String t = session.sessionToken();
    if (!t.equals(token)) {
      Bytes b = new Bytes(t.length() * 3 / 2 + 16);
      encode(b, t, true);
      tokenEncoded = b.toArray();
      token = t;
    }
    return tokenEncoded;
  }

  private byte[] signedHeaders(int mask) {
    if (signedHeaders[mask] == null) {
      StringBuilder list = new StringBuilder(64);
      boolean hostDone = false;
      for (int i = 0; i < SignedHeader.COUNT; i++) {
        if ((mask & (1 << i)) == 0) {
          continue;
        }
        SignedHeader header = SignedHeader.at(i);
        if (!hostDone && header.afterHost()) {
          list.append(list.length() == 0 ? "" : ";").append("host");
          hostDone = true;
        }
        list.append(list.length() == 0 ? "" : ";").append(header.canonicalName);
      }
      if (!hostDone) {
        list.append(list.length() == 0 ? "" : ";").append("host");
      }
      Bytes encoded = new Bytes(list.length() * 3);
      encode(encoded, list.toString(), true);
      signedHeadersEncoded[mask] = encoded.toArray();
      signedHeaders[mask] = ascii(list.toString());
    }
    return signedHeaders[mask];
  }

  /** Keys {@link #hmac} with the signing key of today's date and this secret, deriving it when either changed. */
  private void keyFor(String secret) throws GeneralSecurityException {
    if (secret.equals(keySecret) && Arrays.equals(keyDate, 0, 8, amzDate, 0, 8)) {
      return;
    }
    byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), Arrays.copyOf(amzDate, 8));
    k = hmac(k, ascii(region));
    k = hmac(k, ascii("s3"));
    k = hmac(k, ascii("aws4_request"));
    hmac.init(new SecretKeySpec(k, "HmacSHA256"));
    System.arraycopy(amzDate, 0, keyDate, 0, 8);
    keySecret = secret;
  }

  private byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
    hmac.init(new SecretKeySpec(key, "HmacSHA256"));
    return hmac.doFinal(data);
  }

  /**
   * RFC 3986 percent-encoding of the UTF-8 bytes, as SigV4 wants it: unreserved characters kept, '/' kept in
   * paths. A lone surrogate encodes as '?', as {@code String.getBytes(UTF_8)} (and so the SDK) has it.
   */
  static void encode(Bytes out, String value, boolean encodeSlash) {
    // Fast path: the run of characters kept as they are (nearly every key and id), copied in one loop.
    int n = value.length();
    out.room(n);
    byte[] buf = out.buf;
    int len = out.len;
    int i = 0;
    for (; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x80 || !(UNRESERVED[c] || (c == '/' && !encodeSlash))) {
        break;
      }
      buf[len++] = (byte) c;
    }
    out.len = len;
    encodeFrom(out, value, i, encodeSlash);
  }

  /** Unreserved characters of RFC 3986 (kept as they are by SigV4's encoding), by ASCII code. */
  private static final boolean[] UNRESERVED = new boolean[0x80];

  static {
    for (char c = 0; c < 0x80; c++) {
      UNRESERVED[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~';
    }
  }

  private static void encodeFrom(Bytes out, String value, int from, boolean encodeSlash) {
    for (int i = from; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
        out.append(c);
      } else if (c < 0x80) {
        percent(out, c);
      } else if (c < 0x800) {
        percent(out, 0xc0 | (c >> 6));
        percent(out, 0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, value.charAt(++i));
        percent(out, 0xf0 | (cp >> 18));
        percent(out, 0x80 | ((cp >> 12) & 0x3f));
        percent(out, 0x80 | ((cp >> 6) & 0x3f));
        percent(out, 0x80 | (cp & 0x3f));
      } else if (Character.isSurrogate(c)) {
        percent(out, '?');
      } else {
        percent(out, 0xe0 | (c >> 12));
        percent(out, 0x80 | ((c >> 6) & 0x3f));
        percent(out, 0x80 | (c & 0x3f));
      }
    }
  }

  private static void percent(Bytes out, int b) {
    out.append('%').append(HEX_UPPER[b >> 4]).append(HEX_UPPER[b & 0xf]);
  }

  /**
   * SigV4 canonical header value, as the SDK makes it: whitespace (space, tab, CR, LF, VT, FF) dropped at both ends
   * and each run of it inside replaced by one space; UTF-8.
   */
  static void appendTrimmed(Bytes out, String value) {
    boolean written = false;
    boolean space = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ' ' || (c >= '\t' && c <= '\r')) {
        space = written;
        continue;
      }
      if (space) {
        out.append(' ');
        space = false;
      }
      written = true;
      if (c < 0x80) {
        out.append(c);
      } else {
        int cp = value.codePointAt(i);
        out.append(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        i += Character.charCount(cp) - 1;
      }
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** A growable byte buffer, reused across URLs. */
  static final class Bytes {
    byte[] buf;
    int len;

    Bytes(int capacity) {
      buf = new byte[capacity];
    }

    void clear() {
      len = 0;
    }

    void room(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    Bytes append(char c) {
      room(1);
      buf[len++] = (byte) c;
      return this;
    }

    Bytes append(byte b) {
      room(1);
      buf[len++] = b;
      return this;
    }

    Bytes append(byte[] bytes) {
      return append(bytes, 0, bytes.length);
    }

    Bytes append(byte[] bytes, int from, int count) {
      room(count);
      System.arraycopy(bytes, from, buf, len, count);
      len += count;
      return this;
    }

    Bytes append(Bytes other) {
      return append(other.buf, 0, other.len);
    }

    /** Characters below 0x80 only. */
    Bytes ascii(String s) {
      int n = s.length();
      room(n);
      for (int i = 0; i < n; i++) {
        buf[len++] = (byte) s.charAt(i);
      }
      return this;
    }

    Bytes number(long value) {
      if (value < 0) {
        append('-');
        value = -value;
      }
      int digits = 1;
      for (long v = value; v >= 10; v /= 10) {
        digits++;
      }
      room(digits);
      for (int i = len + digits - 1; i >= len; i--) {
        buf[i] = (byte) ('0' + value % 10);
        value /= 10;
      }
      len += digits;
      return this;
    }

    Bytes hex(byte[] bytes) {
      room(bytes.length * 2);
      for (byte b : bytes) {
        buf[len++] = HEX[(b >> 4) & 0xf];
        buf[len++] = HEX[b & 0xf];
      }
      return this;
    }

    byte[] toArray() {
      return Arrays.copyOf(buf, len);
    }

    String toAsciiString() {
      return new String(buf, 0, len, StandardCharsets.ISO_8859_1);
    }
  }
}
