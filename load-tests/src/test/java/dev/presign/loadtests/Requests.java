package dev.presign.loadtests;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.CheckBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The protocol, the per-request data and the API's requests with the answer each one must get. */
final class Requests {
  private Requests() {}

  static final String PATH = "/api/s3/presign";
  static final String DOWNLOAD_PATH = "/api/s3/download";
  static final String SIGN_PATH = "/api/s3/sign";
  static final String VALID_BODY = "{\"filename\":\"#{filename}\",\"contentType\":\"#{contentType}\",\"size\":#{size}}";
  /** A download of one of the caller's own keys (it need not exist: the gateway signs, S3 answers). */
  static final String DOWNLOAD_BODY = "{\"key\":\"#{ownKey}\",\"filename\":\"#{filename}\"}";
  /** Uppy 6's UploadPart: PUT on a key of the caller's own, with the upload id and part number. */
  static final String UPLOAD_PART_BODY =
      "{\"method\":\"PUT\",\"key\":\"#{ownPartKey}\",\"uploadId\":\"#{uploadId}\",\"partNumber\":#{partNumber}}";
  private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  /** KEY_PREFIX_TEMPLATE of the gateway under test. */
  private static final String KEY_PREFIX = Settings.string("keyPrefix", "users/{sub}/");
  /** Allowed types (the gateway's default ALLOWED_CONTENT_TYPES covers them) and a matching extension. */
  private static final List<String[]> TYPES = List.of(new String[] {"image/png", "png"},
      new String[] {"image/jpeg", "jpg"}, new String[] {"text/plain", "txt"}, new String[] {"application/pdf", "pdf"},
      new String[] {"text/csv", "csv"}, new String[] {"application/json", "json"});
  private static final List<String> NAMES = List.of("Quarterly Report", "photo", "scan_", "naïve café", "données");

  /**
   * Connections are shared and kept alive, as behind an ingress or load balancer: one connection per virtual
   * user would measure TCP handshakes, not the gateway. The shared pool's default cap (a browser's 6 per host)
   * would queue requests inside Gatling at a few hundred per second; an ingress keeps more open.
   */
  static HttpProtocolBuilder protocol(String baseUrl) {
    return http.baseUrl(baseUrl).shareConnections().maxConnectionsPerHost(256)
        .acceptHeader("application/json, application/problem+json");
  }

  /** Endless per-request data: a random caller from the pool and a random file name, type and size. */
  static Iterator<Map<String, Object>> feeder(Tokens valid, Tokens expired) {
    return Stream.generate(() -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      Tokens.Token caller = valid.random();
      String[] type = TYPES.get(random.nextInt(TYPES.size()));
      Map<String, Object> data = new HashMap<>();
      data.put("token", caller.jwt());
      data.put("sub", caller.sub());
      data.put("filename", NAMES.get(random.nextInt(NAMES.size())) + " " + random.nextInt(1_000_000) + "." + type[1]);
      data.put("contentType", type[0]);
      data.put("size", random.nextInt(1, 10 * 1024 * 1024));
      String otherPrefix = KEY_PREFIX.replace("{sub}", "someone-else-" + random.nextInt(1000));
      String ownPrefix = KEY_PREFIX.replace("{sub}", caller.sub());
      String uuid = java.util.UUID.randomUUID().toString();
      data.put("otherPrefix", otherPrefix);
      data.put("ownKey", ownPrefix + uuid + "/" + data.get("filename"));
      data.put("otherKey", otherPrefix + uuid + "/" + data.get("filename"));
      data.put("ownPartKey", ownPrefix + uuid + "/big " + random.nextInt(1_000_000) + ".bin");
      data.put("otherPartKey", otherPrefix + uuid + "/big.bin");
      StringBuilder uploadId = new StringBuilder(64);
      for (int i = 0; i < 64; i++) {
        uploadId.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
      }
      data.put("uploadId", uploadId.toString());
      data.put("partNumber", random.nextInt(1, 10_001));
      data.put("forgedToken", Tokens.forge(caller.jwt()));
      if (expired != null) {
        data.put("expiredToken", expired.random().jwt());
      }
      return data;
    }).iterator();
  }

  /** A valid presign: 200 and the documented answer for this caller and file. */
  static HttpRequestActionBuilder presign() {
    return post("presign 200", "#{token}", VALID_BODY).check(
        status().is(200),
        jsonPath("$.key").transformWithSession((key, s) -> expectedKey(s).matcher(key).matches()).is(true)
            .name("key is <caller prefix><uuid>/<file name>"),
        jsonPath("$.uploadUrl").transform(url -> url.contains("X-Amz-Signature=")).is(true)
            .name("uploadUrl is signed"),
        jsonPath("$.method").is("PUT"),
        jsonPath("$.headers").ofMap().exists(),
        jsonPath("$.headers['Content-Type']").isEL("#{contentType}"),
        jsonPath("$.headers['Content-Length']").isEL("#{size}"),
        jsonPath("$.expiresAt").exists());
  }

  /**
   * A download of the caller's own key: 200, the key echoed, a signed GET of that key with the download name signed
   * as {@code response-content-disposition}.
   */
  static HttpRequestActionBuilder download() {
    return post("download 200", DOWNLOAD_PATH, "#{token}", DOWNLOAD_BODY).check(
        status().is(200),
        jsonPath("$.key").isEL("#{ownKey}"),
        jsonPath("$.url").transformWithSession((url, s) -> url.contains(path(s.getString("ownKey")) + "?")
            && url.contains("X-Amz-Signature=") && url.contains("response-content-disposition=attachment"))
            .is(true).name("url is a signed GET of the key, with the download name"),
        jsonPath("$.method").is("GET"),
        jsonPath("$.expiresAt").exists());
  }

  /** A download of another caller's key: 403 key-prefix. */
  static HttpRequestActionBuilder downloadDenied() {
    return post("download other caller's key 403", DOWNLOAD_PATH, "#{token}",
        "{\"key\":\"#{otherKey}\"}").check(denied("key-prefix"));
  }

  /** Uppy 6's UploadPart on the caller's own key: 200, a signed PUT of that key for that upload id and part. */
  static HttpRequestActionBuilder signUploadPart() {
    return post("sign UploadPart 200", SIGN_PATH, "#{token}", UPLOAD_PART_BODY).check(
        status().is(200),
        jsonPath("$.url").transformWithSession((url, s) -> url.contains(path(s.getString("ownPartKey")) + "?")
            && url.contains("X-Amz-Signature=") && url.contains("uploadId=" + s.getString("uploadId"))
            && url.contains("partNumber=" + s.getInt("partNumber") + "&"))
            .is(true).name("url is a signed PUT of the key, with uploadId and partNumber"),
        jsonPath("$.method").is("PUT"),
        jsonPath("$.expiresAt").exists());
  }

  /** UploadPart on another caller's key: 403 key-prefix. */
  static HttpRequestActionBuilder signUploadPartDenied() {
    return post("sign UploadPart other caller's key 403", SIGN_PATH, "#{token}",
        "{\"method\":\"PUT\",\"key\":\"#{otherPartKey}\",\"uploadId\":\"#{uploadId}\",\"partNumber\":1}")
        .check(denied("key-prefix"));
  }

  static HttpRequestActionBuilder post(String name, String token, String body) {
    return post(name, PATH, token, body);
  }

  static HttpRequestActionBuilder post(String name, String path, String token, String body) {
    return http(name).post(path).header("Authorization", "Bearer " + token).body(StringBody(body)).asJson();
  }

  /** A key as it appears in a path-style URL's path: each segment percent-encoded as SigV4 encodes it. */
  private static String path(String key) {
    StringBuilder out = new StringBuilder();
    for (byte b : key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-._~/".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return "/" + out;
  }

  /** An error answer in the gateway's one format, application/problem+json with the status in the body. */
  static CheckBuilder[] problem(int status) {
    return new CheckBuilder[] {status().is(status), header("Content-Type").is("application/problem+json"),
        jsonPath("$.status").ofInt().is(status)};
  }

  /** A 403 naming the policy rule that denied it. */
  static CheckBuilder[] denied(String rule) {
    CheckBuilder[] p = problem(403);
    return new CheckBuilder[] {p[0], p[1], p[2], jsonPath("$.rule").is(rule)};
  }

  /** {@code <caller prefix><uuid>/<file name>}: the file names made here are left unchanged by sanitising. */
  private static Pattern expectedKey(Session s) {
    return Pattern.compile(Pattern.quote(KEY_PREFIX.replace("{sub}", s.getString("sub")))
        + "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/" + Pattern.quote(s.getString("filename")));
  }
}
