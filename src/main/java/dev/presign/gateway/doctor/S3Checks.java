package dev.presign.gateway.doctor;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.signing.CredentialsSnapshot;
import dev.presign.gateway.signing.PresignedUpload;
import dev.presign.gateway.signing.SignedHeader;
import dev.presign.gateway.signing.UrlSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What a browser meets at the bucket, asked of S3 itself: the endpoint is S3 (not CloudFront or another site), the
 * gateway's clock agrees with S3's {@code Date}, the bucket exists in AWS_REGION (HeadBucket, GetBucketLocation
 * through the SDK), its CORS lets every configured origin make each request the operations sign (real preflights),
 * and a small object under a reserved prefix can be PUT (with the configured encryption), read and deleted through
 * URLs the gateway's own signer makes.
 */
final class S3Checks {
  /** Never a caller's key: KEY_PREFIX_TEMPLATE contains {sub}, and this prefix does not. */
  static final String PROBE_PREFIX = "presign-gateway-doctor/";
  /** What the browser sends to S3 for the enabled operations: PUT (object, part), POST, GET, DELETE (Uppy 6). */
  static final List<String> BROWSER_METHODS = List.of("PUT", "POST", "GET", "DELETE");
  static final Duration MAX_SKEW = Duration.ofSeconds(60);
  private static final byte[] PROBE_BODY = "presign-gateway doctor probe\n".getBytes(StandardCharsets.UTF_8);

  private final GatewayConfig config;
  private final UrlSigner signer;
  private final CredentialsSnapshot credentials;
  private final Clock clock;
  private final URI bucketUrl;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** The probe PUT's answer to the first origin: whether S3 exposed ETag to it. */
  private String exposedOnPut;

  S3Checks(GatewayConfig config, UrlSigner signer, CredentialsSnapshot credentials, Clock clock) {
    this.config = config;
    this.signer = signer;
    this.credentials = credentials;
    this.clock = clock;
    this.bucketUrl = UrlSigner.bucketUrl(config.s3());
  }

  List<Check> run() {
    List<Check> checks = new ArrayList<>();
    HttpResponse<String> answer;
    try {
      answer = send(HttpRequest.newBuilder(bucketUrl).GET());
    } catch (IOException e) {
      checks.add(Check.fail("endpoint", origin() + " is unreachable: " + e, null,
          "check S3_ENDPOINT (unset for AWS) and that the gateway's network reaches it"));
      return skipRest(checks, "S3 is unreachable");
    }
    Check endpoint = endpoint(answer);
    checks.add(endpoint);
    checks.add(clock(answer));
    if (endpoint.failed()) {
      return skipRest(checks, "the endpoint is not S3");
    }
    if (signer == null) {
      return skipRest(checks, "no credentials to sign with");
    }
    Check bucket = bucket();
    checks.add(bucket);
    if (bucket.failed()) {
      return skipRest(checks, "the bucket check failed");
    }

    List<Check> probe = probe();
    checks.add(cors());
    checks.addAll(probe);
    return checks;
  }

  private List<Check> skipRest(List<Check> checks, String why) {
    for (String name : List.of("endpoint", "clock", "bucket", "cors", "probe PUT", "probe GET", "probe DELETE")) {
      if (checks.stream().noneMatch(c -> c.name().equals(name))) {
        checks.add(Check.skip(name, "skipped: " + why));
      }
    }
    return checks;
  }

  /** S3 answers every request with x-amz-request-id; CloudFront adds X-Amz-Cf-Id and a Via naming itself. */
  private Check endpoint(HttpResponse<String> answer) {
    var headers = answer.headers();
    if (headers.firstValue("x-amz-cf-id").isPresent()
        || headers.firstValue("via").map(v -> v.toLowerCase(Locale.ROOT).contains("cloudfront")).orElse(false)) {
      return Check.fail("endpoint", origin() + " answers through CloudFront, not S3", SeedRow.ENDPOINT,
          "presigned URLs must point at the S3 endpoint: unset S3_ENDPOINT (AWS) or set it to the S3 endpoint");
    }
    if (headers.firstValue("x-amz-request-id").isEmpty()) {
      return Check.fail("endpoint", origin() + " does not speak the S3 API (answer " + answer.statusCode()
          + " without x-amz-request-id" + headers.firstValue("server").map(s -> ", Server: " + s).orElse("") + ")",
          SeedRow.ENDPOINT, "point S3_ENDPOINT at the S3 (or S3-compatible) endpoint, not a website, CloudFront or"
              + " another custom domain");
    }
    return Check.pass("endpoint", "S3 API at " + origin() + (config.s3().endpoint() == null ? " (AWS)"
        : " (S3_ENDPOINT)") + ", " + (config.s3().pathStyle() ? "path-style" : "virtual-host") + " URLs");
  }

  /** The gateway's clock against S3's Date: a URL signed by a clock behind S3 dies early, one ahead is not yet valid. */
  private Check clock(HttpResponse<String> answer) {
    var date = answer.headers().firstValue("date");
    if (date.isEmpty()) {
      return Check.skip("clock", "the endpoint sent no Date header");
    }
    Instant s3 = ZonedDateTime.parse(date.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    Duration skew = Duration.between(s3, clock.instant());
    // Date has whole seconds: so has the skew.
    String said = String.format("the gateway's clock is %d s %s S3's Date (limit %d s)",
        Math.round(Math.abs(skew.toMillis()) / 1000.0), skew.isNegative() ? "behind" : "ahead of", MAX_SKEW.toSeconds());
    if (skew.abs().compareTo(MAX_SKEW) > 0) {
      return Check.fail("clock", said, SeedRow.EXPIRY, "sync the gateway's clock with NTP (chrony, or the node's"
          + " time service): URLs signed now are " + (skew.isNegative() ? "expired early" : "not yet valid") + " at S3");
    }
    return Check.pass("clock", said);
  }

  /** HeadBucket, then the bucket's region (from HeadBucket's x-amz-bucket-region, else GetBucketLocation). */
  private Check bucket() {
    String bucket = config.s3().bucket();
    try (S3AsyncClient s3 = client()) {
      HeadBucketResponse head;
      try {
        head = s3.headBucket(b -> b.bucket(bucket)).join();
      } catch (CompletionException e) {
        return bucketFailure(e.getCause());
      }
      String region = head.bucketRegion();
      if (region == null) {
        try {
          String location = s3.getBucketLocation(b -> b.bucket(bucket)).join().locationConstraintAsString();
          region = location == null || location.isEmpty() ? "us-east-1" : location.equals("EU") ? "eu-west-1" : location;
        } catch (CompletionException e) {
          return Check.pass("bucket", bucket + " exists; its region is not reported by this endpoint");
        }
      }
      if (!region.equals(config.s3().region())) {
        return Check.fail("bucket", bucket + " is in " + region + ", but AWS_REGION=" + config.s3().region()
            + ": URLs are signed for the wrong region", SeedRow.ENDPOINT, "set AWS_REGION=" + region);
      }
      return Check.pass("bucket", bucket + " exists in " + region + " (AWS_REGION)");
    }
  }

  private Check bucketFailure(Throwable e) {
    String bucket = config.s3().bucket();
    if (e instanceof S3Exception s3 && s3.statusCode() == 404) {
      return Check.fail("bucket", bucket + " does not exist at " + origin() + " (HeadBucket 404)", null,
          "create the bucket or fix S3_BUCKET: every upload would get 404 NoSuchBucket (not a 403 of the table)");
    }
    if (e instanceof S3Exception s3 && s3.statusCode() == 301) {
      String region = s3.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").orElse("?");
      return Check.fail("bucket", bucket + " is in " + region + ", not AWS_REGION=" + config.s3().region(),
          SeedRow.ENDPOINT, "set AWS_REGION=" + region);
    }
    if (e instanceof S3Exception s3 && s3.statusCode() == 403) {
      // The gateway itself never needs s3:ListBucket: the probe below tells a refused secret from a policy.
      return Check.skip("bucket", "HeadBucket " + bucket + " answered 403 (no body to say why: the credentials are"
          + " refused, or the role lacks s3:ListBucket, which the gateway does not need); the probe lines test access");
    }
    return Check.fail("bucket", "HeadBucket " + bucket + " failed: " + e, null, "see the error");
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
          HttpResponse<String> r = send(HttpRequest.newBuilder(object)
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
      HttpResponse<String> r = send(request);
      if (r.statusCode() / 100 == 2) {
        return Check.pass(name, r.statusCode() + ", " + onSuccess.apply(r));
      }
      S3Error error = S3Error.of(r.statusCode(), r.body());
      return Check.fail(name, error.describe(), error.row(), error.fix());
    } catch (IOException e) {
      return Check.fail(name, "no answer from " + origin() + ": " + e, null, "check the network path to S3");
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private S3AsyncClient client() {
    S3AsyncClientBuilder builder = S3AsyncClient.builder().region(Region.of(config.s3().region()))
        .forcePathStyle(config.s3().pathStyle()).credentialsProvider(credentials);
    if (config.s3().endpoint() != null) {
      builder.endpointOverride(config.s3().endpoint());
    }
    return builder.build();
  }

  private String origin() {
    return bucketUrl.getScheme() + "://" + bucketUrl.getRawAuthority();
  }
}
