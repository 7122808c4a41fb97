package dev.presign.gateway.doctor;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.signing.PresignedUpload;
import dev.presign.gateway.signing.SignedHeader;
import dev.presign.gateway.signing.UrlSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * What a browser meets at the bucket: its CORS lets every configured origin make each request the operations sign
 * (real preflights, as the browser sends them), and a small object under a reserved prefix can be PUT (with the
 * configured encryption), read and deleted through URLs the gateway's own signer makes.
 */
final class BrowserChecks {
  /** Never a caller's key: KEY_PREFIX_TEMPLATE contains {sub}, and this prefix does not. */
  static final String PROBE_PREFIX = "presign-gateway-doctor/";
  /** What the browser sends to S3 for the enabled operations: PUT (object, part), POST, GET, DELETE (Uppy 6). */
  static final List<String> BROWSER_METHODS = List.of("PUT", "POST", "GET", "DELETE");
  private static final byte[] PROBE_BODY = "presign-gateway doctor probe\n".getBytes(StandardCharsets.UTF_8);

  private final GatewayConfig config;
  private final UrlSigner signer;
  private final URI bucketUrl;
  /** The probe PUT's answer to the first origin: whether S3 exposed ETag to it. */
  private String exposedOnPut;

  BrowserChecks(GatewayConfig config, UrlSigner signer, URI bucketUrl) {
    this.config = config;
    this.signer = signer;
    this.bucketUrl = bucketUrl;
  }

  /** The CORS line, then the probe's three; the probe runs first, as its PUT's answer shows what S3 exposes. */
  List<Check> run() {
    List<Check> probe = probe();
    List<Check> checks = new ArrayList<>();
    checks.add(cors());
    checks.addAll(probe);
    return checks;
  }

  /** Real preflights from each configured origin, for each method, with every header the gateway can sign. */
  private Check cors() {
    List<String> origins = config.http().corsOrigins();
    if (origins.isEmpty()) {
      return Check.skip("cors", "CORS_ALLOWED_ORIGINS is not set: no browser origin to check");
    }
    String headers = String.join(",", signableHeaders());
    List<String> problems = new ArrayList<>();
    String exposed = exposedOnPut == null ? "" : exposedOnPut;
    URI object = bucketUrl.resolve(PROBE_PREFIX + "cors-preflight");
    for (String origin : origins) {
      Map<String, List<String>> refusals = new LinkedHashMap<>();
      for (String method : BROWSER_METHODS) {
        try {
          HttpResponse<String> r = S3Checks.send(HttpRequest.newBuilder(object)
              .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", origin)
              .header("Access-Control-Request-Method", method).header("Access-Control-Request-Headers", headers));
          var h = r.headers();
          String allowOrigin = h.firstValue("access-control-allow-origin").orElse("");
          String allowMethods = h.firstValue("access-control-allow-methods").orElse("");
          String allowHeaders = h.firstValue("access-control-allow-headers").orElse("").toLowerCase(Locale.ROOT);
          String refusal = null;
          if (r.statusCode() / 100 != 2 || !(allowOrigin.equals(origin) || allowOrigin.equals("*"))) {
            refusal = "refused (" + r.statusCode() + ")";
          } else if (!allowMethods.contains(method) && !allowMethods.contains("*")) {
            refusal = "not in Allow-Methods";
          } else if (!allowHeaders.contains("*")) {
            List<String> missing = signableHeaders().stream().filter(n -> !allowHeaders.contains(n)).toList();
            refusal = missing.isEmpty() ? null : "without header(s) " + missing;
          }
          if (refusal != null) {
            refusals.computeIfAbsent(refusal, k -> new ArrayList<>()).add(method);
          }
          exposed += "," + h.firstValue("access-control-expose-headers").orElse("");
        } catch (IOException e) {
          refusals.computeIfAbsent("preflight failed: " + e, k -> new ArrayList<>()).add(method);
        }
      }
      refusals.forEach((why, methods) -> problems.add(origin + " " + String.join(", ", methods) + " " + why));
    }
    if (problems.isEmpty() && !exposed.toLowerCase(Locale.ROOT).contains("etag")) {
      problems.add("ETag is not exposed (Uppy cannot complete multipart uploads, pages cannot read the ETag)");
    }
    if (!problems.isEmpty()) {
      return Check.fail("cors", String.join("; ", problems), SeedRow.CORS, "in the bucket's CORS rules allow "
          + origins + ", methods " + BROWSER_METHODS + ", headers " + signableHeaders() + " (or *), and expose ETag");
    }
    return Check.pass("cors", origins + " may " + BROWSER_METHODS + " with " + signableHeaders() + "; ETag exposed");
  }

  /** The headers a browser may send that the gateway signs (Content-Length is set by the browser, never asked). */
  private List<String> signableHeaders() {
    List<String> names = new ArrayList<>();
    for (SignedHeader h : SignedHeader.values()) {
      boolean signed = switch (h) {
        case CONTENT_LENGTH -> false;
        case SERVER_SIDE_ENCRYPTION -> config.s3().sse() != null;
        case SSE_KMS_KEY_ID -> config.s3().sseKmsKeyId() != null;
        default -> true;
      };
      if (signed) {
        names.add(h.canonicalName);
      }
    }
    return names;
  }

  /** PUT (with the configured encryption), GET and DELETE of a small object, through the gateway's own signer. */
  private List<Check> probe() {
    String key = PROBE_PREFIX + UUID.randomUUID() + ".txt";
    List<Check> checks = new ArrayList<>();
    PresignedUpload put = signer.presignPut(new UploadPlan(key, "text/plain", (long) PROBE_BODY.length, null));
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(put.url()))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(PROBE_BODY));
    // Content-Length comes from the body, as a browser sends it.
    put.forEachHeader((name, value) -> {
      if (!name.equalsIgnoreCase("Content-Length")) {
        request.header(name, value);
      }
    });
    config.http().corsOrigins().stream().findFirst().ifPresent(origin -> request.header("Origin", origin));
    Check stored = attempt("probe PUT", request, r -> {
      exposedOnPut = r.headers().firstValue("access-control-expose-headers").orElse("");
      return "stored " + key + " with " + put.headers().keySet() + (config.s3().sse() == null ? ""
          : " (S3_SSE=" + config.s3().sse() + ")");
    });
    checks.add(stored);
    if (stored.failed()) {
      checks.add(Check.skip("probe GET", "skipped: nothing was stored"));
      checks.add(Check.skip("probe DELETE", "skipped: nothing was stored"));
      return checks;
    }
    PresignedUpload get = signer.presignGet(key, null, UrlSigner.CONFIGURED_TTL);
    checks.add(attempt("probe GET", HttpRequest.newBuilder(URI.create(get.url())).GET(),
        r -> r.body().equals(new String(PROBE_BODY, StandardCharsets.UTF_8)) ? "read back the same "
            + PROBE_BODY.length + " bytes" : "read back different bytes"));
    PresignedUpload delete = signer.presignDeleteObject(key, UrlSigner.CONFIGURED_TTL);
    checks.add(attempt("probe DELETE", HttpRequest.newBuilder(URI.create(delete.url())).DELETE(),
        r -> "deleted " + key));
    return checks;
  }

  private Check attempt(String name, HttpRequest.Builder request, Function<HttpResponse<String>, String> onSuccess) {
    try {
      HttpResponse<String> r = S3Checks.send(request);
      if (r.statusCode() / 100 == 2) {
        return Check.pass(name, r.statusCode() + ", " + onSuccess.apply(r));
      }
      S3Error error = S3Error.of(r.statusCode(), r.body());
      return Check.fail(name, error.describe(), error.row(), error.fix());
    } catch (IOException e) {
      return Check.fail(name, "no answer from " + S3Checks.origin(bucketUrl) + ": " + e, null, "check the network path to S3");
    }
  }

}
