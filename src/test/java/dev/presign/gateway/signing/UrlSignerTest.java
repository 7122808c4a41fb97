package dev.presign.gateway.signing;

import static dev.presign.gateway.signing.RandomInputs.SEED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.policy.UploadPlan;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * Both engines behind UrlSigner's API: the fast one and the SDK's presigner make the same method, URL, headers and
 * expiry for every operation; the caller's lifetime only shortens; bad arguments are refused by both alike.
 */
class UrlSignerTest {
  private static final Duration TTL = Duration.ofMinutes(15);
  private static final Pattern AMZ_DATE = Pattern.compile("X-Amz-Date=(\\d{8}T\\d{6}Z)");
  private static final Pattern EXPIRES = Pattern.compile("X-Amz-Expires=(\\d+)");
  private static final DateTimeFormatter PARSE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final List<GatewayConfig.S3> CONFIGS = List.of(
      s3("uploads", "eu-west-1", null, false, null, null),
      s3("test-bucket", "us-east-1", "http://127.0.0.1:9000", true, "AES256", null),
      s3("a.b.c", "ap-southeast-2", "https://s3.internal.example:8443", false, "aws:kms", "alias/uploads"),
      s3("my-bucket-2026", "us-gov-west-1", null, true, "aws:kms", null));

  static final AtomicReference<AwsCredentials> CREDENTIALS = new AtomicReference<>(
      AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
  static final CredentialsFaultTest.TestClock CLOCK = new CredentialsFaultTest.TestClock();
  static final List<UrlSigner[]> SIGNERS = new ArrayList<>();

  /**
   * [fast, sdk] per configuration, all reading {@link #CREDENTIALS} and {@link #CLOCK}. Built for each test, not once
   * per class: signers built before PIT swaps a mutant into UrlSigner's constructor would hide that mutant.
   */
  @BeforeEach
  void start() {
    for (GatewayConfig.S3 config : CONFIGS) {
      SIGNERS.add(new UrlSigner[] {signer(config, true), signer(config, false)});
    }
  }

  @AfterEach
  void stop() {
    SIGNERS.forEach(pair -> {
      pair[0].close();
      pair[1].close();
    });
    SIGNERS.clear();
  }

  private static UrlSigner signer(GatewayConfig.S3 config, boolean fast) {
    GatewayConfig.S3 s3 = new GatewayConfig.S3(config.bucket(), config.region(), config.endpoint(),
        config.pathStyle(), config.credentialsRefresh(), fast, config.sse(), config.sseKmsKeyId());
    return new UrlSigner(s3, TTL, CREDENTIALS::get, CLOCK);
  }

  private static GatewayConfig.S3 s3(String bucket, String region, String endpoint, boolean pathStyle, String sse,
                                     String kmsKeyId) {
    return new GatewayConfig.S3(bucket, region, endpoint == null ? null : URI.create(endpoint), pathStyle,
        Duration.ofMinutes(5), true, sse, kmsKeyId);
  }

  @Test
  void both_engines_make_the_same_request_for_every_operation() {
    Random r = new Random(SEED);
    List<String> operations = List.of("put", "get", "create", "part", "complete", "abort", "list", "delete");
    for (int i = 0; i < 2000; i++) {
      UrlSigner[] pair = SIGNERS.get(r.nextInt(SIGNERS.size()));
      String operation = operations.get(i % operations.size());
      String key = RandomInputs.key(r);
      String uploadId = RandomInputs.uploadId(r);
      int partNumber = RandomInputs.partNumber(r);
      String value = r.nextInt(4) == 0 ? null : r.nextBoolean() ? RandomInputs.disposition(r)
          : RandomInputs.contentType(r);
      long maxSeconds = r.nextBoolean() ? UrlSigner.CONFIGURED_TTL : 1 + r.nextInt(2 * (int) TTL.toSeconds());
      UploadPlan plan = new UploadPlan(key, RandomInputs.contentType(r), r.nextBoolean() ? null : r.nextLong(1L << 40),
          r.nextBoolean() ? null : RandomInputs.checksum(r));
      CREDENTIALS.set(RandomInputs.credentials(r));
      Function<UrlSigner, PresignedUpload> sign = switch (operation) {
        case "put" -> s -> s.presignPut(plan, maxSeconds);
        case "get" -> s -> s.presignGet(key, value, maxSeconds);
        case "create" -> s -> s.presignCreateMultipartUpload(key, value, maxSeconds);
        case "part" -> s -> s.presignUploadPart(key, uploadId, partNumber, maxSeconds);
        case "complete" -> s -> s.presignCompleteMultipartUpload(key, uploadId, maxSeconds);
        case "abort" -> s -> s.presignAbortMultipartUpload(key, uploadId, maxSeconds);
        case "list" -> s -> s.presignListParts(key, uploadId, maxSeconds);
        default -> s -> s.presignDeleteObject(key, maxSeconds);
      };
      String description = String.format("seed %d case %d: %s key=\"%s\" uploadId=\"%s\" part=%d value=\"%s\" max=%d",
          SEED, i, operation, key, uploadId, partNumber, value, maxSeconds);

      // The SDK signs at the system's second; the fast engine then at the same one.
      PresignedUpload sdk = sign.apply(pair[1]);
      CLOCK.now.set(dateOf(sdk.url()));
      PresignedUpload fast = sign.apply(pair[0]);

      assertThat(fast.url()).as(description).isEqualTo(sdk.url());
      // Only the fast engine vouches for its URL (answers then write it unscanned), and rightly.
      assertThat(fast.urlJsonPlain()).as(description).isTrue();
      assertThat(SigV4Presigner.isJsonPlain(fast.url())).as(description).isTrue();
      assertThat(sdk.urlJsonPlain()).as(description).isFalse();
      assertThat(fast.method()).as(description).isEqualTo(sdk.method());
      assertThat(List.copyOf(fast.headers().entrySet())).as(description)
          .isEqualTo(List.copyOf(sdk.headers().entrySet()));
      assertThat(fast.key()).as(description).isEqualTo(sdk.key()).isEqualTo(key);
      assertThat(fast.expiresAt().getEpochSecond()).as(description).isEqualTo(sdk.expiresAt().getEpochSecond());
    }
  }

  @Test
  void each_operation_has_its_method_query_and_headers() {
    CREDENTIALS.set(AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    CLOCK.now.set(Instant.parse("2026-11-27T22:00:00Z"));
    for (UrlSigner[] pair : SIGNERS.subList(2, 3)) {
      for (UrlSigner s : pair) {
        // A bucket name with dots goes in the path over HTTPS (its certificate would not match a.b.c.host).
        String base = "https://s3.internal.example:8443/a.b.c/users/a/%C3%BC%20%2B.txt?";
        PresignedUpload get = s.presignGet("users/a/ü +.txt", "attachment; filename*=UTF-8''%C3%BC.txt", 60);
        assertThat(get.method()).isEqualTo("GET");
        assertThat(get.url()).startsWith(base
            + "response-content-disposition=attachment%3B%20filename%2A%3DUTF-8%27%27%25C3%25BC.txt&X-Amz-Algorithm=");
        assertThat(get.headers()).isEmpty();

        PresignedUpload create = s.presignCreateMultipartUpload("users/a/ü +.txt", "text/plain", 60);
        assertThat(create.method()).isEqualTo("POST");
        assertThat(create.url()).startsWith(base + "uploads&X-Amz-Algorithm=")
            .contains("X-Amz-SignedHeaders=content-type%3Bhost%3Bx-amz-server-side-encryption%3B"
                + "x-amz-server-side-encryption-aws-kms-key-id&");
        assertThat(create.headers()).containsExactly(Map.entry("Content-Type", "text/plain"),
            Map.entry("x-amz-server-side-encryption", "aws:kms"),
            Map.entry("x-amz-server-side-encryption-aws-kms-key-id", "alias/uploads"));

        PresignedUpload part = s.presignUploadPart("users/a/ü +.txt", "a+b/c=", 7, 60);
        assertThat(part.method()).isEqualTo("PUT");
        assertThat(part.url()).startsWith(base + "partNumber=7&uploadId=a%2Bb%2Fc%3D&X-Amz-Algorithm=")
            .contains("X-Amz-SignedHeaders=host&");
        assertThat(part.headers()).isEmpty();

        assertThat(List.of(s.presignCompleteMultipartUpload("users/a/ü +.txt", "a+b/c=", 60),
            s.presignAbortMultipartUpload("users/a/ü +.txt", "a+b/c=", 60),
            s.presignListParts("users/a/ü +.txt", "a+b/c=", 60)))
            .allSatisfy(p -> assertThat(p.url()).startsWith(base + "uploadId=a%2Bb%2Fc%3D&X-Amz-Algorithm="))
            .allSatisfy(p -> assertThat(p.headers()).isEmpty())
            .extracting(PresignedUpload::method).containsExactly("POST", "DELETE", "GET");

        PresignedUpload delete = s.presignDeleteObject("users/a/ü +.txt", 60);
        assertThat(delete.method()).isEqualTo("DELETE");
        assertThat(delete.url()).startsWith(base + "X-Amz-Algorithm=");
        assertThat(delete.headers()).isEmpty();
      }
    }
  }

  @Test
  void the_callers_lifetime_only_shortens_the_configured_one_and_the_credentials_cut_both() {
    CLOCK.now.set(Instant.now());
    for (UrlSigner s : SIGNERS.get(1)) {
      CREDENTIALS.set(AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "secret"));
      assertThat(expires(s.presignUploadPart("k", "u", 1, 60))).isEqualTo(60);
      assertThat(expires(s.presignUploadPart("k", "u", 1, 1))).isEqualTo(1);
      assertThat(expires(s.presignUploadPart("k", "u", 1, 100_000))).isEqualTo(TTL.toSeconds());
      assertThat(expires(s.presignGet("k", null, UrlSigner.CONFIGURED_TTL))).isEqualTo(TTL.toSeconds());
      assertThat(expires(s.presignPut(new UploadPlan("k", null, null, null), 45))).isEqualTo(45);
      assertThat(expires(s.presignPut(new UploadPlan("k", null, null, null)))).isEqualTo(TTL.toSeconds());

      CREDENTIALS.set(AwsSessionCredentials.builder().accessKeyId("ASIA").secretAccessKey("secret")
          .sessionToken("token").expirationTime(CLOCK.instant().plusSeconds(120)).build());
      assertThat(expires(s.presignDeleteObject("k", UrlSigner.CONFIGURED_TTL))).isBetween(119L, 120L);
      assertThat(expires(s.presignDeleteObject("k", 60))).isEqualTo(60);
    }
  }

  @Test
  void credentials_with_30_seconds_left_still_sign_a_30_second_url_and_with_29_none() {
    CLOCK.now.set(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusMillis(500));
    for (UrlSigner s : SIGNERS.get(0)) {
      CREDENTIALS.set(AwsSessionCredentials.builder().accessKeyId("ASIA").secretAccessKey("secret")
          .sessionToken("token").expirationTime(CLOCK.instant().plusSeconds(30)).build());
      assertThat(expires(s.presignDeleteObject("k", UrlSigner.CONFIGURED_TTL))).isEqualTo(30);
      CREDENTIALS.set(AwsSessionCredentials.builder().accessKeyId("ASIA").secretAccessKey("secret")
          .sessionToken("token").expirationTime(CLOCK.instant().plusSeconds(29)).build());
      assertThatThrownBy(() -> s.presignDeleteObject("k", UrlSigner.CONFIGURED_TTL))
          .isInstanceOf(CredentialsSnapshot.CredentialsUnavailableException.class);
    }
  }

  @Test
  void the_bucket_url_is_where_the_presigned_urls_point() {
    CREDENTIALS.set(AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "secret"));
    assertThat(UrlSigner.bucketUrl(CONFIGS.get(0))).hasToString("https://uploads.s3.eu-west-1.amazonaws.com/");
    assertThat(UrlSigner.bucketUrl(CONFIGS.get(1))).hasToString("http://127.0.0.1:9000/test-bucket/");
    assertThat(UrlSigner.bucketUrl(CONFIGS.get(2))).hasToString("https://s3.internal.example:8443/a.b.c/");
    for (int i = 0; i < CONFIGS.size(); i++) {
      String bucketUrl = UrlSigner.bucketUrl(CONFIGS.get(i)).toString();
      for (UrlSigner s : SIGNERS.get(i)) {
        assertThat(s.presignDeleteObject("k", 60).url()).startsWith(bucketUrl + "k?");
      }
    }
  }

  @Test
  void bad_arguments_are_refused_by_both_engines_before_signing() {
    for (UrlSigner s : SIGNERS.get(0)) {
      assertThatThrownBy(() -> s.presignUploadPart("k", "u", 0, 60)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.presignUploadPart("k", "u", 10_001, 60))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.presignUploadPart("k", "", 1, 60)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.presignListParts("k", null, 60)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.presignGet("", null, 60)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.presignDeleteObject("k", 0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  private static long expires(PresignedUpload p) {
    Matcher m = EXPIRES.matcher(p.url());
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static Instant dateOf(String url) {
    Matcher date = AMZ_DATE.matcher(url);
    assertThat(date.find()).isTrue();
    return Instant.from(PARSE.parse(date.group(1)));
  }
}
