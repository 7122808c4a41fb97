package dev.presign.gateway.policy;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.config.GatewayConfig;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.security.SecureRandom;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Decides which keys a caller may write and makes the key for a new upload:
 * {@code <caller prefix><random id>/<sanitised file name>}.
 */
public final class KeyPolicy {
  public static final int MAX_KEY_BYTES = 1024;
  private static final String TOKEN = "[A-Za-z0-9!#$&^_.+-]";
  /**
   * RFC 9110's media type, narrowed to what a browser sends byte for byte: visible ASCII, and SP as the only
   * whitespace (around ';' and inside a quoted value; RFC 9110 also allows HTAB there). The value is signed and
   * repeated in the answer's headers: a CR or LF in it would be a header no client can send, or an injected one.
   */
  private static final Pattern MEDIA_TYPE = Pattern.compile(TOKEN + "{1,127}/" + TOKEN + "{1,127}"
      + "( *; *" + TOKEN + "+=(\"[ !#-\\[\\]-~]*\"|" + TOKEN + "+))*");

  /**
   * Types a browser runs script from: opened as a page (HTML; SVG and any other XML type, whose XHTML elements
   * run) or loaded by a script element (the JavaScript MIME types of WHATWG's MIME Sniffing standard). Served from
   * a domain that shares the app's origin (a CDN in front of the bucket), an upload of one is stored XSS. A type/*
   * entry never admits them (nor any subtype ending in +xml); ALLOWED_CONTENT_TYPES must list one exactly.
   */
  static final Set<String> ACTIVE_CONTENT = Set.of("text/html", "image/svg+xml", "application/xhtml+xml",
      "text/xml", "application/xml", "text/javascript", "application/javascript", "application/ecmascript",
      "application/x-javascript", "application/x-ecmascript", "text/ecmascript", "text/x-javascript",
      "text/x-ecmascript", "text/jscript", "text/livescript", "text/javascript1.0", "text/javascript1.1",
      "text/javascript1.2", "text/javascript1.3", "text/javascript1.4", "text/javascript1.5");

  /**
   * Seeds for per-thread generators, drawn at construction (on a startup thread, not an event loop): enough for
   * every event loop (Vert.x makes 2 per CPU) with room to spare.
   */
  static final int SEEDS = Math.max(64, 4 * Runtime.getRuntime().availableProcessors());

  private final GatewayConfig.Uploads config;
  private final String templateHead;
  private final String templateTail;
  private final Set<String> exactTypes;
  private final List<String> wildcardTypes;
  private final byte[][] seeds = new byte[SEEDS][];
  private final AtomicInteger seedsUsed = new AtomicInteger();
  private final ThreadLocal<SecureRandom> random = ThreadLocal.withInitial(this::newRandom);

  public KeyPolicy(GatewayConfig.Uploads config) {
    this.config = config;
    String template = config.prefixTemplate();
    int sub = template.indexOf("{sub}");
    this.templateHead = template.substring(0, sub);
    // A template naming {sub} more than once keeps the general replace (tail null).
    String tail = template.substring(sub + "{sub}".length());
    this.templateTail = tail.contains("{sub}") ? null : tail;
    this.exactTypes = config.allowedContentTypes().stream().filter(t -> !t.endsWith("/*")).collect(Collectors.toSet());
    this.wildcardTypes = config.allowedContentTypes().stream().filter(t -> t.endsWith("/*"))
        .map(t -> t.substring(0, t.length() - 1)).toList();
    SecureRandom seeder = new SecureRandom();
    for (int i = 0; i < SEEDS; i++) {
      seeds[i] = nextSeed(seeder);
    }
  }

  private static byte[] nextSeed(SecureRandom seeder) {
    byte[] seed = new byte[32];
    seeder.nextBytes(seed);
    return seed;
  }

  /**
   * A SHA1PRNG seeded with 256 bits drawn when the policy was built: it never reads the system's entropy source,
   * so the first key an event loop makes does no file I/O, and no two threads share a lock (UUID.randomUUID()
   * and the default NativePRNG both do). Past {@link #SEEDS} threads (benchmarks, tests) it seeds itself.
   */
  private SecureRandom newRandom() {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      int i = seedsUsed.getAndIncrement();
      r.setSeed(i < SEEDS ? seeds[i] : nextSeed(new SecureRandom()));
      return r;
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  }

  public UploadPlan plan(Caller caller, UploadRequest request) {
    String name = FileNames.sanitize(request.filename());
    String contentType = checkContentType(request.contentType());
    Long size = checkSize(request.size());
    String checksum = checkChecksum(request.checksumSha256());
    String prefix = choosePrefix(caller, request.prefix());
    String key = prefix + randomId() + "/" + name;
    if (FileNames.utf8Length(key) > MAX_KEY_BYTES) {
      throw PolicyException.invalid("filename",
          "the resulting key is " + FileNames.utf8Length(key) + " UTF-8 bytes; S3 allows " + MAX_KEY_BYTES);
    }
    return new UploadPlan(key, contentType, size, checksum);
  }

  /**
   * A random (version 4) UUID from a per-thread SecureRandom: {@code UUID.randomUUID()} shares one generator,
   * and every event loop would queue on its lock.
   */
  UUID randomId() {
    byte[] b = new byte[16];
    random.get().nextBytes(b);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    long msb = 0;
    long lsb = 0;
    for (int i = 0; i < 8; i++) {
      msb = (msb << 8) | (b[i] & 0xff);
      lsb = (lsb << 8) | (b[i + 8] & 0xff);
    }
    return new UUID(msb, lsb);
  }

  /** The prefix the key template gives the caller: the first of {@link #prefixesOf}. */
  String ownPrefix(Caller caller) {
    String segment = subjectSegment(caller.subject());
    return templateTail != null ? templateHead + segment + templateTail
        : config.prefixTemplate().replace("{sub}", segment);
  }

  /** The prefixes the caller owns, each ending in '/'. */
  public List<String> prefixesOf(Caller caller) {
    List<String> prefixes = new ArrayList<>();
    prefixes.add(ownPrefix(caller));
    for (String extra : caller.extraPrefixes()) {
      String p = normalizePrefix(extra);
      if (p != null) {
        prefixes.add(p);
      }
    }
    return prefixes;
  }

  /** True when {@code key} lies under one of the caller's prefixes, matched on a '/' boundary. */
  public boolean owns(Caller caller, String key) {
    // "users/alice/../bob/x" starts with "users/alice/" as text, but names bob's object once a URL is normalised.
    return key != null && isKeyShaped(key) && underOwnedPrefix(caller, key);
  }

  /**
   * {@code key} if the caller may write it (an existing upload's key, named again to sign its parts, complete,
   * list, abort or delete it): under one of its prefixes. Otherwise a 400 (not a key) or 403 {@code key-prefix}.
   */
  public String writableKey(Caller caller, String key) {
    checkKeyShape(key);
    if (!underOwnedPrefix(caller, key)) {
      throw PolicyException.denied("key-prefix", "key is not under any prefix this caller owns");
    }
    return key;
  }

  /**
   * {@code key} if the caller may read it: under one of its own prefixes or a configured read-only prefix
   * ({@code READ_PREFIXES}). Otherwise a 400 (not a key) or 403 {@code key-prefix}.
   */
  public String readableKey(Caller caller, String key) {
    checkKeyShape(key);
    if (!underOwnedPrefix(caller, key) && !startsWithAny(key, config.readPrefixes())) {
      throw PolicyException.denied("key-prefix", "key is not under any prefix this caller may read");
    }
    return key;
  }

  /**
   * {@code key} starts with one of {@link #prefixesOf}, without building that list: the template's prefix is
   * matched piece by piece in place (the request path of every operation on an existing key).
   */
  private boolean underOwnedPrefix(Caller caller, String key) {
    if (templateTail != null) {
      String segment = subjectSegment(caller.subject());
      int at = templateHead.length();
      if (key.startsWith(templateHead) && key.startsWith(segment, at)
          && key.startsWith(templateTail, at + segment.length())) {
        return true;
      }
    } else if (key.startsWith(ownPrefix(caller))) {
      return true;
    }
    for (String extra : caller.extraPrefixes()) {
      String p = normalizePrefix(extra);
      if (p != null && key.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsWithAny(String key, List<String> prefixes) {
    for (String p : prefixes) {
      if (key.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  private static void checkKeyShape(String key) {
    if (key == null || key.isEmpty()) {
      throw PolicyException.invalid("key", "key is required");
    }
    if (!isKeyShaped(key)) {
      throw PolicyException.invalid("key", "key must be at most " + MAX_KEY_BYTES + " UTF-8 bytes, relative, NFC,"
          + " without empty, '.' or '..' segments, control characters, U+FFFE or U+FFFF, backslashes or lone"
          + " surrogates");
    }
  }

  /** At most {@link #MAX_KEY_BYTES} UTF-8 bytes and a safe path; printable ASCII (one byte a char) in one pass. */
  static boolean isKeyShaped(String key) {
    if (isPlainPath(key)) {
      return key.length() <= MAX_KEY_BYTES;
    }
    return FileNames.utf8Length(key) <= MAX_KEY_BYTES && isSafePathFully(key);
  }

  /** S3's part numbers. */
  public static int checkPartNumber(Long partNumber) {
    if (partNumber == null || partNumber < 1 || partNumber > 10_000) {
      throw PolicyException.invalid("partNumber", "partNumber must be a whole number from 1 to 10000");
    }
    return partNumber.intValue();
  }

  /**
   * An upload id as S3 (and S3-compatible stores) make them: opaque, printable, URL-safe or base64 characters.
   * Checked so that nothing else rides into the signed query string.
   */
  public static String checkUploadId(String uploadId) {
    if (!isUploadId(uploadId)) {
      throw PolicyException.invalid("uploadId", "uploadId must be the id S3 gave the multipart upload"
          + " (1 to 1024 letters, digits and . _ - ~ + / =)");
    }
    return uploadId;
  }

  /** 1 to 1024 of {@code A-Z a-z 0-9 . _ ~ + / = -}. */
  static boolean isUploadId(String s) {
    if (s == null || s.isEmpty() || s.length() > 1024) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
          || c == '~' || c == '+' || c == '/' || c == '=' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private String choosePrefix(Caller caller, String requested) {
    if (requested == null) {
      return ownPrefix(caller);
    }
    List<String> owned = prefixesOf(caller);
    String prefix = normalizePrefix(requested);
    if (prefix == null) {
      throw PolicyException.invalid("prefix",
          "prefix must be relative, NFC, without empty, '.' or '..' segments, control characters, U+FFFE or"
              + " U+FFFF, backslashes or lone surrogates");
    }
    if (owned.stream().noneMatch(prefix::startsWith)) {
      throw PolicyException.denied("key-prefix", "prefix '" + prefix + "' is not under any prefix this caller owns");
    }
    return prefix;
  }

  /** Null when the prefix is unsafe; otherwise the prefix ending in '/'. */
  static String normalizePrefix(String raw) {
    if (raw == null || raw.isEmpty() || raw.length() > 512) {
      return null;
    }
    String p = raw.endsWith("/") ? raw : raw + "/";
    return isSafePath(p.substring(0, p.length() - 1)) ? p : null;
  }

  /**
   * NFC, relative, without empty, '.' or '..' segments, control characters, U+FFFE or U+FFFF, backslashes or lone
   * surrogates.
   */
  private static boolean isSafePath(String path) {
    return isPlainPath(path) || isSafePathFully(path);
  }

  /**
   * The one-pass fast path of {@link #isSafePath}: printable ASCII and space but no backslash (always NFC, no
   * control character, no surrogate), not starting with '/', no empty, '.' or '..' segment. False means "ask
   * {@link #isSafePathFully}", never "unsafe". Package-private so that tests hold the two side by side.
   */
  static boolean isPlainPath(String path) {
    int n = path.length();
    int segment = 0; // start of the current segment
    for (int i = 0; i < n; i++) {
      char c = path.charAt(i);
      if (c == '/') {
        if (!isNamedSegment(path, segment, i)) {
          return false;
        }
        segment = i + 1;
      } else if (c < ' ' || c > '~' || c == '\\') {
        return false;
      }
    }
    return isNamedSegment(path, segment, n);
  }

  /** {@code path[from, to)} is not empty, "." or "..". */
  private static boolean isNamedSegment(String path, int from, int to) {
    int len = to - from;
    return len > 2 || (len == 1 && path.charAt(from) != '.')
        || (len == 2 && (path.charAt(from) != '.' || path.charAt(from + 1) != '.'));
  }

  /** The whole check behind {@link #isSafePath}, for any text. */
  static boolean isSafePathFully(String path) {
    if (!Normalizer.isNormalized(path, Normalizer.Form.NFC) || path.startsWith("/") || path.indexOf('\\') >= 0
        || hasForbiddenChar(path) || hasLoneSurrogate(path)) {
      return false;
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /**
   * An ISO control character (U+0000–U+001F, U+007F–U+009F), or U+FFFE or U+FFFF: legal in an S3 key but not in
   * XML 1.0, and S3 answers CreateMultipartUpload and CompleteMultipartUpload with the key in XML, which the SDK then
   * cannot parse (the upload made at S3, the caller told 503). Each of them is one UTF-16 unit.
   */
  private static boolean hasForbiddenChar(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) || c == '\uFFFE' || c == '\uFFFF') {
        return true;
      }
    }
    return false;
  }

  private static String subjectSegment(String sub) {
    if (isPlainSegment(sub) || isSafeSegmentFully(sub)) {
      return sub;
    }
    throw PolicyException.denied("subject",
        "the token's subject cannot name a key prefix (it is empty, too long, or holds '/', '\\', '.', '..',"
            + " control characters, U+FFFE or U+FFFF, or a lone surrogate)");
  }

  /** The whole check behind {@link #isPlainSegment}, for any text; package-private so tests hold the two side by side. */
  static boolean isSafeSegmentFully(String sub) {
    return sub != null && !sub.isEmpty() && sub.length() <= 256 && !sub.equals(".") && !sub.equals("..")
        && sub.indexOf('/') < 0 && sub.indexOf('\\') < 0 && !hasForbiddenChar(sub) && !hasLoneSurrogate(sub)
        && Normalizer.isNormalized(sub, Normalizer.Form.NFC);
  }

  /**
   * The one-pass fast path of {@link #isSafeSegmentFully}: printable ASCII (space included) other than '/' and
   * '\\', at most 256 long, not "." or "..". On printable ASCII it decides every subject as the full check does.
   */
  static boolean isPlainSegment(String sub) {
    if (sub == null || sub.isEmpty() || sub.length() > 256 || sub.equals(".") || sub.equals("..")) {
      return false;
    }
    for (int i = 0; i < sub.length(); i++) {
      char c = sub.charAt(i);
      if (c < ' ' || c > '~' || c == '/' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  /**
   * A surrogate without its pair is no character: UTF-8 encoding turns it into '?', so U+D800 and U+D801 alone would
   * both name the key prefix of the subject "?".
   */
  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  private String checkContentType(String raw) {
    if (raw == null) {
      if (config.requireContentType()) {
        throw PolicyException.invalid("contentType", "contentType is required by this gateway");
      }
      return null;
    }
    return isAllowedPlainType(raw) ? raw : checkMediaType(raw);
  }

  /** The full check behind {@link #isAllowedPlainType}; package-private so tests can hold the two side by side. */
  String checkMediaType(String raw) {
    // Only spaces are trimmed (browsers drop them around a header value, so S3 gets the trimmed value);
    // strip() would also drop CR, LF, TAB or U+2028 and accept the value they were meant to make unsendable.
    int from = 0;
    int to = raw.length();
    while (from < to && raw.charAt(from) == ' ') {
      from++;
    }
    while (to > from && raw.charAt(to - 1) == ' ') {
      to--;
    }
    String value = raw.substring(from, to);
    if (value.length() > 255 || !MEDIA_TYPE.matcher(value).matches()) {
      throw PolicyException.invalid("contentType",
          "contentType must be a media type such as image/png, in visible ASCII with only spaces around ';'");
    }
    int semi = value.indexOf(';');
    String base = (semi < 0 ? value : value.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    String wildcard = base.substring(0, base.indexOf('/')) + "/*";
    List<String> allowed = config.allowedContentTypes();
    if (allowed.contains(base) || (allowed.contains(wildcard) && !isActiveContent(base))) {
      return value;
    }
    if (allowed.contains(wildcard)) {
      throw PolicyException.denied("content-type", "content type '" + base + "' can carry script that browsers"
          + " run, so '" + wildcard + "' does not allow it; to accept it, list it exactly in ALLOWED_CONTENT_TYPES"
          + " and serve uploads as attachments or from a separate domain");
    }
    throw PolicyException.denied("content-type",
        "content type '" + base + "' is not allowed; allowed: " + String.join(", ", allowed));
  }

  /** {@code base}: a lower-case type/subtype. */
  private static boolean isActiveContent(String base) {
    return base.endsWith("+xml") || ACTIVE_CONTENT.contains(base);
  }

  /**
   * The common case in one pass: a lower-case type/subtype of token characters, no parameters, allowed as is or
   * by a type/* entry that admits it. Anything else goes through the full check (which also explains refusals).
   */
  boolean isAllowedPlainType(String type) {
    int n = type.length();
    int slash = type.indexOf('/');
    // RFC 6838's bounds, as the full check has them: at most 127 characters a part.
    if (slash < 1 || slash > 127 || n - slash - 1 > 127 || slash == n - 1) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = type.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '/' && i == slash)
          || "!#$&^_.+-".indexOf(c) >= 0)) {
        return false;
      }
    }
    if (exactTypes.contains(type)) {
      return true;
    }
    for (String prefix : wildcardTypes) {
      if (type.startsWith(prefix) && prefix.length() == slash + 1) {
        return !isActiveContent(type);
      }
    }
    return false;
  }

  private Long checkSize(Long size) {
    if (size == null) {
      if (config.requireSize()) {
        throw PolicyException.invalid("size", "size (bytes) is required by this gateway");
      }
      return null;
    }
    if (size < 0) {
      throw PolicyException.invalid("size", "size must be zero or more bytes");
    }
    if (size > config.maxBytes()) {
      throw PolicyException.denied("max-size", "size " + size + " exceeds the maximum of " + config.maxBytes() + " bytes");
    }
    return size;
  }

  private static String checkChecksum(String b64) {
    if (b64 == null) {
      return null;
    }
    try {
      // Only the canonical, padded form: the value is signed and sent byte for byte as x-amz-checksum-sha256.
      byte[] digest = Base64.getDecoder().decode(b64);
      if (digest.length == 32 && Base64.getEncoder().encodeToString(digest).equals(b64)) {
        return b64;
      }
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    throw PolicyException.invalid("checksumSha256", "checksumSha256 must be the base64 of a 32-byte SHA-256 digest");
  }
}
