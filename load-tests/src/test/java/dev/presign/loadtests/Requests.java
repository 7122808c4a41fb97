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

/** The protocol, the per-request data and the presign requests with the answer each one must get. */
final class Requests {
  private Requests() {}

  static final String PATH = "/api/s3/presign";
  static final String VALID_BODY = "{\"filename\":\"#{filename}\",\"contentType\":\"#{contentType}\",\"size\":#{size}}";
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
      data.put("otherPrefix", KEY_PREFIX.replace("{sub}", "someone-else-" + random.nextInt(1000)));
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

  static HttpRequestActionBuilder post(String name, String token, String body) {
    return http(name).post(PATH).header("Authorization", "Bearer " + token).body(StringBody(body)).asJson();
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
