package dev.presign.gateway.doctor;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.signing.CredentialsSnapshot;
import dev.presign.gateway.signing.UrlSigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Where the URLs point, asked of S3 itself: the endpoint is S3 (not CloudFront or another site), the gateway's clock
 * agrees with S3's {@code Date}, the bucket exists in AWS_REGION (HeadBucket, GetBucketLocation through the SDK);
 * then what a browser meets there ({@link BrowserChecks}).
 */
final class S3Checks {
  static final Duration MAX_SKEW = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final GatewayConfig config;
  private final UrlSigner signer;
  private final CredentialsSnapshot credentials;
  private final Clock clock;
  private final URI bucketUrl;

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
    checks.addAll(new BrowserChecks(config, signer, bucketUrl).run());
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

  /** One request, blocking (a command-line tool), at most 10 s. */
  static HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
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

  static String origin(URI bucketUrl) {
    return bucketUrl.getScheme() + "://" + bucketUrl.getRawAuthority();
  }

  private String origin() {
    return origin(bucketUrl);
  }
}
