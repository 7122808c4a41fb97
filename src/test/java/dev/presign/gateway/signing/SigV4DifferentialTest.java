package dev.presign.gateway.signing;

import static dev.presign.gateway.signing.RandomInputs.SEED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.signing.RandomInputs.Setup;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.presigner.PresignedRequest;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The gateway's SigV4 signer against the AWS SDK, for every S3 request the gateway signs: same inputs and clock,
 * byte-identical URLs and headers. Over random keys, buckets, regions, endpoints, addressing styles, expiries,
 * credentials, upload ids, part numbers, content types, encryption and Content-Disposition values; {@value #CASES}
 * cases per operation from a fixed seed, which a failure names with its case and inputs. The requests the SDK's
 * presigner has (PutObject, GetObject, the multipart ones, DeleteObject) are compared with it; ListParts, and
 * requests of any method and query, with the SDK's own SigV4 signer ({@link AwsV4HttpSigner}) configured as the
 * presigner configures it.
 */
class SigV4DifferentialTest {
  static final int CASES = 2000;
  private static final Pattern AMZ_DATE = Pattern.compile("X-Amz-Date=(\\d{8}T\\d{6}Z)");
  private static final DateTimeFormatter PARSE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final String[] NO_QUERY = {};
  private static final String[] NO_HEADERS = new String[SignedHeader.COUNT];
  private static final Map<Setup, S3Presigner> SDK = new ConcurrentHashMap<>();
  private static final Map<Setup, SigV4Presigner> FAST = new ConcurrentHashMap<>();

  @AfterAll
  static void close() {
    SDK.values().forEach(S3Presigner::close);
  }

  /** One case: its inputs, named for the failure message; every operation has a setup, key, credentials, expiry. */
  static final class Case {
    final List<Object> inputs = new ArrayList<>();
    final Setup setup;
    final String key;
    final AwsCredentials credentials;
    final int expires;

    Case(String title, Random r) {
      inputs.add(title);
      setup = with("setup", RandomInputs.setup(r));
      key = with("key", RandomInputs.key(r));
      credentials = with("credentials", RandomInputs.credentials(r));
      expires = with("expires", RandomInputs.expires(r));
    }

    <T> T with(String name, T value) {
      Object shown = value instanceof String s ? '"' + s + '"' : value instanceof Object[] a ? Arrays.asList(a) : value;
      inputs.add(name + "=" + shown);
      return value;
    }

    S3Presigner sdk() {
      return SDK.computeIfAbsent(setup, Setup::presigner);
    }

    /** One signer per setup, reused across cases as an event loop reuses its own: no cached state may leak. */
    SigV4Presigner fast() {
      return FAST.computeIfAbsent(setup, s -> new SigV4Presigner(UrlSigner.probeTarget(sdk(), s.bucket()), s.region()));
    }

    Duration duration() {
      return Duration.ofSeconds(expires);
    }

    /** For the SDK's request: sign with this case's credentials. */
    Consumer<AwsRequestOverrideConfiguration.Builder> signer() {
      return o -> o.credentialsProvider(StaticCredentialsProvider.create(credentials));
    }

    @Override
    public String toString() {
      return String.join(", ", inputs.stream().map(String::valueOf).toList());
    }
  }

  @Test
  void putObject_matches_the_sdk_byte_for_byte() {
    cases("putObject", (r, c) -> {
      String contentType = c.with("contentType", RandomInputs.contentType(r));
      Long size = c.with("size", r.nextInt(10) < 3 ? null : (long) (r.nextDouble() * 5L * 1024 * 1024 * 1024));
      String checksum = c.with("checksum", r.nextBoolean() ? null : RandomInputs.checksum(r));
      String[] encryption = c.with("encryption", RandomInputs.encryption(r));

      PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(c.setup.bucket()).key(c.key)
          .overrideConfiguration(c.signer());
      String[] signed = new String[SignedHeader.COUNT];
      if (contentType != null) {
        put.contentType(contentType);
        signed[SignedHeader.CONTENT_TYPE.ordinal()] = contentType;
      }
      if (size != null) {
        put.contentLength(size);
        signed[SignedHeader.CONTENT_LENGTH.ordinal()] = size.toString();
      }
      if (checksum != null) {
        put.checksumAlgorithm(ChecksumAlgorithm.SHA256).checksumSHA256(checksum);
        signed[SignedHeader.CHECKSUM_SHA256.ordinal()] = checksum;
        signed[SignedHeader.SDK_CHECKSUM_ALGORITHM.ordinal()] = "SHA256";
      }
      encrypt(signed, encryption);
      put.serverSideEncryption(encryption[0]).ssekmsKeyId(encryption[1]);
      PresignedRequest reference = c.sdk().presignPutObject(p -> p.signatureDuration(c.duration())
          .putObjectRequest(put.build()));

      String url = c.fast().presignPut(c.key, signed, c.credentials, dateOf(reference), c.expires);
      assertSame(c, reference, url, "PUT", signed);
    });
  }

  @Test
  void getObject_matches_the_sdk_with_and_without_a_content_disposition() {
    cases("getObject", (r, c) -> {
      String disposition = c.with("disposition", r.nextInt(4) == 0 ? null : RandomInputs.disposition(r));
      assertMatches(c, c.sdk().presignGetObject(p -> p.signatureDuration(c.duration()).getObjectRequest(g -> g
              .bucket(c.setup.bucket()).key(c.key).responseContentDisposition(disposition)
              .overrideConfiguration(c.signer()))),
          "GET", NO_HEADERS, disposition == null ? NO_QUERY : new String[] {"response-content-disposition", disposition});
    });
  }

  @Test
  void createMultipartUpload_matches_the_sdk_with_content_type_and_encryption() {
    cases("createMultipartUpload", (r, c) -> {
      String contentType = c.with("contentType", RandomInputs.contentType(r));
      String[] encryption = c.with("encryption", RandomInputs.encryption(r));
      String[] signed = new String[SignedHeader.COUNT];
      signed[SignedHeader.CONTENT_TYPE.ordinal()] = contentType;
      encrypt(signed, encryption);
      assertMatches(c, c.sdk().presignCreateMultipartUpload(p -> p.signatureDuration(c.duration())
              .createMultipartUploadRequest(m -> m.bucket(c.setup.bucket()).key(c.key).contentType(contentType)
                  .serverSideEncryption(encryption[0]).ssekmsKeyId(encryption[1]).overrideConfiguration(c.signer()))),
          "POST", signed, new String[] {"uploads", null});
    });
  }

  @Test
  void uploadPart_matches_the_sdk_for_any_part_number_and_upload_id() {
    cases("uploadPart", (r, c) -> {
      String uploadId = c.with("uploadId", RandomInputs.uploadId(r));
      int partNumber = c.with("partNumber", RandomInputs.partNumber(r));
      assertMatches(c, c.sdk().presignUploadPart(p -> p.signatureDuration(c.duration()).uploadPartRequest(u -> u
              .bucket(c.setup.bucket()).key(c.key).uploadId(uploadId).partNumber(partNumber)
              .overrideConfiguration(c.signer()))),
          "PUT", NO_HEADERS, new String[] {"partNumber", Integer.toString(partNumber), "uploadId", uploadId});
    });
  }

  @Test
  void completeMultipartUpload_matches_the_sdk() {
    cases("completeMultipartUpload", (r, c) -> {
      String uploadId = c.with("uploadId", RandomInputs.uploadId(r));
      assertMatches(c, c.sdk().presignCompleteMultipartUpload(p -> p.signatureDuration(c.duration())
              .completeMultipartUploadRequest(m -> m.bucket(c.setup.bucket()).key(c.key).uploadId(uploadId)
                  .overrideConfiguration(c.signer()))),
          "POST", NO_HEADERS, new String[] {"uploadId", uploadId});
    });
  }

  @Test
  void abortMultipartUpload_matches_the_sdk() {
    cases("abortMultipartUpload", (r, c) -> {
      String uploadId = c.with("uploadId", RandomInputs.uploadId(r));
      assertMatches(c, c.sdk().presignAbortMultipartUpload(p -> p.signatureDuration(c.duration())
              .abortMultipartUploadRequest(a -> a.bucket(c.setup.bucket()).key(c.key).uploadId(uploadId)
                  .overrideConfiguration(c.signer()))),
          "DELETE", NO_HEADERS, new String[] {"uploadId", uploadId});
    });
  }

  @Test
  void deleteObject_matches_the_sdk() {
    cases("deleteObject", (r, c) -> assertMatches(c, c.sdk().presignDeleteObject(p -> p
            .signatureDuration(c.duration())
            .deleteObjectRequest(d -> d.bucket(c.setup.bucket()).key(c.key).overrideConfiguration(c.signer()))),
        "DELETE", NO_HEADERS, NO_QUERY));
  }

  /** The presigner has no ListParts: GET ?uploadId= built by hand and signed by the SDK's SigV4 signer. */
  @Test
  void listParts_matches_the_sdks_signer() {
    cases("listParts", (r, c) -> {
      String[] query = {"uploadId", c.with("uploadId", RandomInputs.uploadId(r))};
      Instant now = c.with("now", RandomInputs.instant(r));
      assertThat(c.fast().presign("GET", c.key, NO_HEADERS, query, c.credentials, now, c.expires)).as(c::toString)
          .isEqualTo(signedBySdk(c, SdkHttpMethod.GET, query, NO_HEADERS, now));
    });
  }

  /**
   * The signer's general contract, beyond what S3's operations use: any method, any signed headers, and query
   * parameters in any URL order whose names sort before, among and after the X-Amz-* ones in the canonical query.
   */
  @Test
  void any_method_query_and_headers_match_the_sdks_signer() {
    List<String> names = List.of("uploads", "uploadId", "partNumber", "versionId", "response-content-type", "x-id",
        "Alpha", "X-Amz-Aaa", "X-Amz-E", "X-Amz-Sz", "X-Amz-Z", "Z", "a", "0", "list-type", "prefix");
    cases("anyRequest", (r, c) -> {
      Instant now = c.with("now", RandomInputs.instant(r));
      SdkHttpMethod method = c.with("method", RandomInputs.pick(r, SdkHttpMethod.GET, SdkHttpMethod.PUT,
          SdkHttpMethod.POST, SdkHttpMethod.DELETE, SdkHttpMethod.HEAD));
      List<String> shuffled = new ArrayList<>(names);
      java.util.Collections.shuffle(shuffled, r);
      int params = r.nextInt(5);
      String[] query = new String[2 * params];
      for (int i = 0; i < params; i++) {
        query[2 * i] = shuffled.get(i);
        query[2 * i + 1] = switch (r.nextInt(4)) {
          case 0 -> null;
          case 1 -> RandomInputs.uploadId(r);
          case 2 -> RandomInputs.disposition(r);
          default -> RandomInputs.codePoints(r, r.nextInt(10));
        };
      }
      c.with("query", Arrays.asList(query));
      String[] signed = new String[SignedHeader.COUNT];
      for (SignedHeader h : SignedHeader.values()) {
        if (r.nextInt(3) == 0) {
          signed[h.ordinal()] = RandomInputs.pick(r, "text/plain", "42", "  a   b  ", "aws:kms", "x\ty",
              "\t a \t\t b\u000b", "\u00a0é\u2003", "\f\r\na\nb\r\n", "", " ", "x\u001fy\u001c");
        }
      }
      c.with("headers", Arrays.asList(signed));

      assertThat(c.fast().presign(method.name(), c.key, signed, query, c.credentials, now, c.expires))
          .as(c::toString).isEqualTo(signedBySdk(c, method, query, signed, now));
    });
  }

  /**
   * Signs by hand what the presigner would: the URL layout (scheme, host, port, path) the presigner gives a GET of
   * {@code key}, the SDK's SigV4 signer with the presigner's settings (query-string auth, unsigned payload, no path
   * normalising, no double encoding) and a fixed clock.
   */
  private static String signedBySdk(Case c, SdkHttpMethod method, String[] query, String[] signed, Instant now) {
    URI layout = URI.create(c.sdk().presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(1))
        .getObjectRequest(g -> g.bucket(c.setup.bucket()).key(c.key))).url().toString());
    // The raw authority: URI finds no host in a virtual host name like a.b.c.127.0.0.1.
    String authority = layout.getRawAuthority();
    int colon = authority.lastIndexOf(':');
    SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder().method(method).protocol(layout.getScheme())
        .host(colon < 0 ? authority : authority.substring(0, colon))
        .port(colon < 0 ? null : Integer.valueOf(authority.substring(colon + 1))).encodedPath(layout.getRawPath());
    for (int i = 0; i < query.length; i += 2) {
      request.putRawQueryParameter(query[i], query[i + 1]);
    }
    for (int i = 0; i < signed.length; i++) {
      if (signed[i] != null) {
        request.putHeader(SignedHeader.at(i).clientName, signed[i]);
      }
    }
    SignedRequest result = AwsV4HttpSigner.create().sign(b -> b.identity(c.credentials).request(request.build())
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
        .putProperty(AwsV4HttpSigner.REGION_NAME, c.setup.region())
        .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, c.duration())
        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
        .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
        .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC)));
    return result.request().getUri().toString();
  }

  /** The fast signer, at the second the SDK signed at, makes the SDK's request. */
  private static void assertMatches(Case c, PresignedRequest reference, String method, String[] signed,
                                    String[] query) {
    assertSame(c, reference, c.fast().presign(method, c.key, signed, query, c.credentials, dateOf(reference),
        c.expires), method, signed);
  }

  /** Same URL, method and headers to send (Host aside) as the SDK's presigned request. */
  private static void assertSame(Case c, PresignedRequest reference, String url, String method, String[] signed) {
    assertThat(url).as(c::toString).isEqualTo(reference.url().toString());
    // Answers write the URL into JSON without scanning it: it must never hold a quote, backslash or control.
    assertThat(SigV4Presigner.isJsonPlain(url)).as("URL needs JSON escaping: %s", c).isTrue();
    assertThat(method).as(c::toString).isEqualTo(reference.httpRequest().method().name());
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
    assertThat(ours).as(c::toString).isEqualTo(sdkHeaders);
  }

  interface CaseBody {
    void run(Random random, Case c);
  }

  /** {@value #CASES} cases from one seeded generator per operation; anything thrown names the seed and the case. */
  private static void cases(String operation, CaseBody body) {
    Random random = new Random(SEED ^ operation.hashCode());
    for (int i = 0; i < CASES; i++) {
      Case c = new Case(String.format("seed %d (-Ddifferential.seed), %s case %d", SEED, operation, i), random);
      try {
        body.run(random, c);
      } catch (RuntimeException e) {
        throw new AssertionError(c.toString(), e);
      }
    }
  }

  private static void encrypt(String[] signed, String[] encryption) {
    signed[SignedHeader.SERVER_SIDE_ENCRYPTION.ordinal()] = encryption[0];
    signed[SignedHeader.SSE_KMS_KEY_ID.ordinal()] = encryption[1];
  }

  /** The clock the SDK signed with, to the second, read from its URL. */
  private static Instant dateOf(PresignedRequest reference) {
    Matcher date = AMZ_DATE.matcher(reference.url().toString());
    assertThat(date.find()).isTrue();
    return Instant.from(PARSE.parse(date.group(1)));
  }
}
