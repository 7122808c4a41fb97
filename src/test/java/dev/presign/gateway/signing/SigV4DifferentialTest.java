package dev.presign.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PutObjectPresignRequest;

/**
 * The gateway's SigV4 signer against the AWS SDK's presigner, over random keys, buckets, regions, endpoints,
 * addressing styles, expiries, credentials and every signed header the gateway uses: same inputs and clock,
 * byte-identical URLs and headers.
 */
class SigV4DifferentialTest {
  private static final Pattern AMZ_DATE = Pattern.compile("X-Amz-Date=(\\d{8}T\\d{6}Z)");
  private static final DateTimeFormatter PARSE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Map<String, S3Presigner> SDK = new ConcurrentHashMap<>();
  private static final Map<String, SigV4Presigner> FAST = new ConcurrentHashMap<>();

  record Setup(String bucket, String region, String endpoint, boolean pathStyle) {}

  record Headers(String contentType, Long size, String checksum, String sse, String kmsKeyId) {}

  @Property(tries = 2000)
  void fast_signer_matches_the_sdk_byte_for_byte(@ForAll("setups") Setup setup, @ForAll("keys") String key,
      @ForAll("headers") Headers headers, @ForAll("credentials") AwsCredentials credentials,
      @ForAll @IntRange(min = 1, max = 604_800) int expires) {
    S3Presigner sdk = SDK.computeIfAbsent(setup.toString(), k -> presigner(setup));
    PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(setup.bucket()).key(key)
        .overrideConfiguration(o -> o.credentialsProvider(StaticCredentialsProvider.create(credentials)));
    String[] signed = new String[SignedHeader.COUNT];
    if (headers.contentType() != null) {
      put.contentType(headers.contentType());
      signed[SignedHeader.CONTENT_TYPE.ordinal()] = headers.contentType();
    }
    if (headers.size() != null) {
      put.contentLength(headers.size());
      signed[SignedHeader.CONTENT_LENGTH.ordinal()] = headers.size().toString();
    }
    if (headers.checksum() != null) {
      put.checksumAlgorithm(ChecksumAlgorithm.SHA256).checksumSHA256(headers.checksum());
      signed[SignedHeader.CHECKSUM_SHA256.ordinal()] = headers.checksum();
      signed[SignedHeader.SDK_CHECKSUM_ALGORITHM.ordinal()] = "SHA256";
    }
    if (headers.sse() != null) {
      put.serverSideEncryption(headers.sse());
      signed[SignedHeader.SERVER_SIDE_ENCRYPTION.ordinal()] = headers.sse();
      if (headers.kmsKeyId() != null) {
        put.ssekmsKeyId(headers.kmsKeyId());
        signed[SignedHeader.SSE_KMS_KEY_ID.ordinal()] = headers.kmsKeyId();
      }
    }
    PresignedPutObjectRequest reference = sdk.presignPutObject(PutObjectPresignRequest.builder()
        .signatureDuration(Duration.ofSeconds(expires)).putObjectRequest(put.build()).build());
    Matcher date = AMZ_DATE.matcher(reference.url().toString());
    assertThat(date.find()).isTrue();
    Instant clock = Instant.from(PARSE.parse(date.group(1)));

    // One signer per setup, reused across tries as an event loop reuses its own: cached state (signing key,
    // credential scope, date, token) must never leak from one URL into the next.
    SigV4Presigner fast = FAST.computeIfAbsent(setup.toString(), k -> new SigV4Presigner(target(setup), setup.region()));
    String url = fast.presignPut(key, signed, credentials, clock, expires);

    assertThat(url).isEqualTo(reference.url().toString());
    Map<String, String> sdkHeaders = new TreeMap<>();
    reference.signedHeaders().forEach((name, values) -> {
      if (!name.equals("host")) {
        sdkHeaders.put(name, String.join(",", values));
      }
    });
    Map<String, String> ours = new TreeMap<>();
    for (int i = 0; i < signed.length; i++) {
      if (signed[i] != null) {
        ours.put(SignedHeader.at(i).canonicalName, signed[i]);
      }
    }
    assertThat(ours).isEqualTo(sdkHeaders);
  }

  @Provide
  Arbitrary<Setup> setups() {
    return Combinators.combine(
        Arbitraries.of("uploads", "my-bucket-2026", "a.b.c", "x1y"),
        Arbitraries.of("us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"),
        Arbitraries.of("", "http://127.0.0.1:9000", "http://localhost:4566", "https://minio.example.com",
            "https://s3.internal.example:8443"),
        Arbitraries.of(true, false)).as(Setup::new);
  }

  @Provide
  Arbitrary<String> keys() {
    Arbitrary<String> segment = Arbitraries.oneOf(
        Arbitraries.strings().withChars("abcXYZ019 +%~!*'()&$@=;:,?#[]{}^`|\"<>-_.").ofMinLength(1).ofMaxLength(12),
        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(8)
            .filter(s -> s.codePoints().noneMatch(c -> Character.getType(c) == Character.SURROGATE)),
        Arbitraries.of("ü", "日本語", "😀", "e\u0301", "%20", "a+b", "~user", "..x"));
    return segment.list().ofMinSize(1).ofMaxSize(4).map(parts -> String.join("/", parts))
        .filter(k -> !k.startsWith("/") && !k.contains("//") && !List.of(k.split("/")).contains(".")
            && !List.of(k.split("/")).contains(".."));
  }

  @Provide
  Arbitrary<Headers> headers() {
    Arbitrary<String> types = Arbitraries.of("text/plain", "image/png", "application/octet-stream",
        "text/plain; charset=utf-8", "application/vnd.ms-excel", "video/mp4").injectNull(0.3);
    Arbitrary<Long> sizes = Arbitraries.longs().between(0, 5L * 1024 * 1024 * 1024).injectNull(0.3);
    Arbitrary<String> checksums = Arbitraries.bytes().array(byte[].class).ofSize(32)
        .map(b -> java.util.Base64.getEncoder().encodeToString(b)).injectNull(0.5);
    Arbitrary<String> sse = Arbitraries.of("AES256", "aws:kms").injectNull(0.5);
    Arbitrary<String> kmsKeyIds = Arbitraries.of("1234abcd-12ab-34cd-56ef-1234567890ab", "alias/uploads",
        "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab").injectNull(0.5);
    return Combinators.combine(types, sizes, checksums, sse, kmsKeyIds).as(Headers::new);
  }

  @Provide
  Arbitrary<AwsCredentials> credentials() {
    Arbitrary<String> ids = Arbitraries.strings().withCharRange('A', 'Z').numeric().ofLength(20);
    Arbitrary<String> secrets = Arbitraries.strings().withChars("abcdXYZ0189+/").ofMinLength(8).ofMaxLength(40);
    Arbitrary<String> tokens = Arbitraries.strings().withChars("abcXYZ0189+/=%-_.~").ofMinLength(1).ofMaxLength(60)
        .injectNull(0.5);
    Arbitrary<AwsCredentials> random = Combinators.combine(ids, secrets, tokens).as((id, secret, token) ->
        token == null ? AwsBasicCredentials.create(id, secret) : AwsSessionCredentials.create(id, secret, token));
    // A few repeated ones too, so that the signer's per-credentials caches are hit as well as replaced.
    Arbitrary<AwsCredentials> repeated = Arbitraries.of(
        AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        AwsSessionCredentials.create("ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "FwoG+/z=="),
        AwsSessionCredentials.create("ASIAIOSFODNN7EXAMPLE", "other/secret+key", "IQoJb3JpZ2luX2VjE%"));
    return Arbitraries.oneOf(random, repeated);
  }

  private static S3Presigner presigner(Setup setup) {
    S3Presigner.Builder b = S3Presigner.builder().region(Region.of(setup.region()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("UNUSED", "UNUSED")))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(setup.pathStyle())
            .useArnRegionEnabled(false).multiRegionEnabled(false).checksumValidationEnabled(false).build());
    if (!setup.endpoint().isEmpty()) {
      b.endpointOverride(URI.create(setup.endpoint()));
    }
    return b.build();
  }

  private static SigV4Presigner.Target target(Setup setup) {
    return UrlSigner.probeTarget(SDK.get(setup.toString()), setup.bucket());
  }
}
