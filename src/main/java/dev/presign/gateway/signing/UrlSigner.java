package dev.presign.gateway.signing;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.policy.UploadPlan;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.presigner.PresignedRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PutObjectPresignRequest;

/**
 * Presigns the S3 requests of an upload or download from the credentials snapshot, so a presign on an event loop
 * reads a volatile field and never waits on a lookup. Two engines make identical URLs: the gateway's own
 * {@link SigV4Presigner} (default, one per thread, about ten times cheaper) and the AWS SDK's {@link S3Presigner}
 * ({@code S3_SIGNER=sdk}), kept as the reference and as the source of the endpoint layout the fast engine uses.
 *
 * <p>One method per S3 operation, each a few lines over one core, as the SDK's presigner has them. Every method
 * takes {@code maxSeconds}, the caller's limit (Uppy's {@code expiresIn}): it can only shorten the configured
 * lifetime ({@link #CONFIGURED_TTL}: no limit), which the signing credentials' own expiry shortens further. Keys,
 * upload ids and values are raw, never pre-encoded: the signer encodes them. Each answer lists the headers the client
 * must send, besides Host.
 */
public final class UrlSigner implements AutoCloseable {
  /** A URL must outlive the round trip to the browser and the start of its upload. */
  static final Duration MIN_USEFUL_TTL = Duration.ofSeconds(30);

  static final String PROBE_KEY = "presign-gateway-probe";
  /** As {@code maxSeconds}: no limit of the caller's, the configured lifetime (still capped by the credentials'). */
  public static final long CONFIGURED_TTL = Long.MAX_VALUE;
  /** S3's highest part number. */
  public static final int MAX_PART_NUMBER = 10_000;

  private static final String[] NO_QUERY = {};
  /** Shared by the requests that sign no header: a {@link PresignedUpload} never writes into its array. */
  private static final String[] NO_HEADERS = new String[SignedHeader.COUNT];
  private static final String[] UPLOADS = {"uploads", null};

  /** The SDK's presigner: the engine with {@code S3_SIGNER=sdk}, null with the fast one (which never calls it). */
  private final S3Presigner presigner;
  private final AwsCredentialsProvider credentials;
  private final String bucket;
  private final long ttlSeconds;
  private final String sse;
  private final String sseKmsKeyId;
  private final Clock clock;
  private final ThreadLocal<SigV4Presigner> fast;

  public UrlSigner(GatewayConfig.S3 s3, Duration ttl, CredentialsSnapshot credentials, Clock clock) {
    this(s3, ttl, (AwsCredentialsProvider) credentials, clock);
  }

  /** For tests: {@code credentials} must answer at once, as the snapshot does. */
  UrlSigner(GatewayConfig.S3 s3, Duration ttl, AwsCredentialsProvider credentials, Clock clock) {
    // Not built for the fast engine: a second SDK presigner beside the probe's cost ~0.1-0.3 s of every start.
    this.presigner = s3.fastSigner() ? null : sdkPresigner(s3, credentials);
    this.credentials = credentials;
    this.bucket = s3.bucket();
    this.ttlSeconds = ttl.toSeconds();
    this.sse = s3.sse();
    this.sseKmsKeyId = s3.sseKmsKeyId();
    this.clock = clock;
    if (s3.fastSigner()) {
      SigV4Presigner.Target target = probeTarget(s3);
      String region = s3.region();
      this.fast = ThreadLocal.withInitial(() -> new SigV4Presigner(target, region));
    } else {
      this.fast = null;
    }
  }

  /** The SDK's presigner for this bucket's region, endpoint and addressing style. */
  static S3Presigner sdkPresigner(GatewayConfig.S3 s3, AwsCredentialsProvider credentials) {
    S3Presigner.Builder builder = S3Presigner.builder()
        .region(Region.of(s3.region()))
        .credentialsProvider(credentials)
        .serviceConfiguration(S3Configuration.builder()
            .pathStyleAccessEnabled(s3.pathStyle())
            // Set explicitly: left unset, the SDK reads ~/.aws profile files on every presign.
            .useArnRegionEnabled(false)
            .multiRegionEnabled(false)
            .checksumValidationEnabled(false)
            .build());
    if (s3.endpoint() != null) {
      builder.endpointOverride(s3.endpoint());
    }
    return builder.build();
  }

  /** The bucket's own URL, where every presigned URL for it points ({@code https://bucket.s3.region.amazonaws.com/}). */
  public static URI bucketUrl(GatewayConfig.S3 s3) {
    SigV4Presigner.Target target = probeTarget(s3);
    return URI.create(target.scheme() + "://" + target.authority() + target.pathPrefix() + "/");
  }

  /** Asks the SDK once where URLs for this bucket point (virtual host or path, regional or global host). */
  private static SigV4Presigner.Target probeTarget(GatewayConfig.S3 s3) {
    AwsCredentialsProvider dummy = StaticCredentialsProvider.create(AwsBasicCredentials.create("PROBE", "PROBE"));
    try (S3Presigner probe = sdkPresigner(s3, dummy)) {
      return probeTarget(probe, s3.bucket());
    }
  }

  /** Where {@code sdk} points URLs for {@code bucket}: one presign of a probe key, split into its fixed parts. */
  static SigV4Presigner.Target probeTarget(S3Presigner sdk, String bucket) {
    PresignedPutObjectRequest url = sdk.presignPutObject(PutObjectPresignRequest.builder()
        .signatureDuration(Duration.ofMinutes(1))
        .putObjectRequest(PutObjectRequest.builder().bucket(bucket).key(PROBE_KEY).build())
        .build());
    return SigV4Presigner.Target.fromProbe(URI.create(url.url().toString()), PROBE_KEY);
  }

  /** PutObject with the configured lifetime: the gateway's hot path. */
  public PresignedUpload presignPut(UploadPlan plan) {
    return presignPut(plan, CONFIGURED_TTL);
  }

  /**
   * PutObject: PUT {@code /key}, signing the plan's Content-Type, Content-Length and SHA-256 checksum (with
   * x-amz-sdk-checksum-algorithm) where it has them, and the bucket's encryption headers.
   */
  public PresignedUpload presignPut(UploadPlan plan, long maxSeconds) {
    // The SDK call is only made (and its lambda only allocated) for the sdk engine: this is the request path.
    return presign("PUT", plan.key(), signedHeaders(plan), NO_QUERY, maxSeconds,
        fast != null ? null : d -> presigner.presignPutObject(p -> p.signatureDuration(d).putObjectRequest(
            sdkPut(plan))));
  }

  /**
   * GetObject: GET {@code /key}, signing {@code response-content-disposition} as a query parameter when given (S3
   * then answers with it as Content-Disposition). No headers to send.
   */
  public PresignedUpload presignGet(String key, String responseContentDisposition, long maxSeconds) {
    String[] query = responseContentDisposition == null ? NO_QUERY
        : new String[] {"response-content-disposition", responseContentDisposition};
    return presign("GET", key, NO_HEADERS, query, maxSeconds, d -> presigner.presignGetObject(p -> p
        .signatureDuration(d)
        .getObjectRequest(g -> g.bucket(bucket).key(key).responseContentDisposition(responseContentDisposition))));
  }

  /**
   * CreateMultipartUpload: POST {@code /key?uploads}, signing Content-Type when given and the bucket's encryption
   * headers (S3 sets an object's encryption when its upload is created).
   */
  public PresignedUpload presignCreateMultipartUpload(String key, String contentType, long maxSeconds) {
    String[] signed = new String[SignedHeader.COUNT];
    signed[SignedHeader.CONTENT_TYPE.ordinal()] = contentType;
    signed[SignedHeader.SERVER_SIDE_ENCRYPTION.ordinal()] = sse;
    signed[SignedHeader.SSE_KMS_KEY_ID.ordinal()] = sseKmsKeyId;
    return presign("POST", key, signed, UPLOADS, maxSeconds, d -> presigner.presignCreateMultipartUpload(p -> p
        .signatureDuration(d)
        .createMultipartUploadRequest(c -> c.bucket(bucket).key(key).contentType(contentType)
            .serverSideEncryption(sse).ssekmsKeyId(sseKmsKeyId))));
  }

  /**
   * UploadPart: PUT {@code /key?partNumber=N&uploadId=…}, {@code partNumber} 1 to 10,000. No headers: browsers PUT
   * Blob slices without a Content-Type, and a part takes its encryption from its upload.
   */
  public PresignedUpload presignUploadPart(String key, String uploadId, int partNumber, long maxSeconds) {
    if (partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new IllegalArgumentException("part number " + partNumber + " is not between 1 and " + MAX_PART_NUMBER);
    }
    String[] query = {"partNumber", Integer.toString(partNumber), "uploadId", requireUploadId(uploadId)};
    return presign("PUT", key, NO_HEADERS, query, maxSeconds, d -> presigner.presignUploadPart(p -> p
        .signatureDuration(d)
        .uploadPartRequest(u -> u.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber))));
  }

  /** CompleteMultipartUpload: POST {@code /key?uploadId=…}; the client sends the parts' XML as the body. */
  public PresignedUpload presignCompleteMultipartUpload(String key, String uploadId, long maxSeconds) {
    return presign("POST", key, NO_HEADERS, uploadIdQuery(uploadId), maxSeconds,
        d -> presigner.presignCompleteMultipartUpload(p -> p.signatureDuration(d)
            .completeMultipartUploadRequest(c -> c.bucket(bucket).key(key).uploadId(uploadId))));
  }

  /** AbortMultipartUpload: DELETE {@code /key?uploadId=…}. */
  public PresignedUpload presignAbortMultipartUpload(String key, String uploadId, long maxSeconds) {
    return presign("DELETE", key, NO_HEADERS, uploadIdQuery(uploadId), maxSeconds,
        d -> presigner.presignAbortMultipartUpload(p -> p.signatureDuration(d)
            .abortMultipartUploadRequest(a -> a.bucket(bucket).key(key).uploadId(uploadId))));
  }

  /**
   * ListParts: GET {@code /key?uploadId=…}. The SDK's presigner has no ListParts; on the wire it is a GetObject
   * with an uploadId parameter, and that is how the sdk engine signs it.
   */
  public PresignedUpload presignListParts(String key, String uploadId, long maxSeconds) {
    return presign("GET", key, NO_HEADERS, uploadIdQuery(uploadId), maxSeconds,
        d -> presigner.presignGetObject(p -> p.signatureDuration(d).getObjectRequest(g -> g.bucket(bucket).key(key)
            .overrideConfiguration(o -> o.putRawQueryParameter("uploadId", uploadId)))));
  }

  /** DeleteObject: DELETE {@code /key}. */
  public PresignedUpload presignDeleteObject(String key, long maxSeconds) {
    return presign("DELETE", key, NO_HEADERS, NO_QUERY, maxSeconds, d -> presigner.presignDeleteObject(p -> p
        .signatureDuration(d).deleteObjectRequest(r -> r.bucket(bucket).key(key))));
  }

  /**
   * The one core every operation goes through: one read of the snapshot and of the clock, so the lifetime cap and
   * the signature use the same credentials; then the fast engine with the operation's method, headers and query, or
   * {@code sdk}, the same request through the SDK's presigner.
   */
  private PresignedUpload presign(String method, String key, String[] signed, String[] query, long maxSeconds,
                                  Function<Duration, PresignedRequest> sdk) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("an object key is required");
    }
    if (maxSeconds < 1) {
      throw new IllegalArgumentException("a URL lives at least 1 s, not " + maxSeconds);
    }
    AwsCredentials signing = credentials.resolveCredentials();
    Instant now = clock.instant();
    long seconds = Math.min(lifetimeSeconds(signing, now), maxSeconds);
    if (fast != null) {
      // The signer reads whole seconds of the clock; the answer's expiry is counted from the same second.
      String url = fast.get().presign(method, key, signed, query, signing, now, seconds);
      return new PresignedUpload(method, key, url, signed, Instant.ofEpochSecond(now.getEpochSecond() + seconds),
          true);
    }
    PresignedRequest presigned = sdk.apply(Duration.ofSeconds(seconds));
    return new PresignedUpload(presigned.httpRequest().method().name(), key, presigned.url().toString(),
        fromSdk(presigned.signedHeaders()), presigned.expiration());
  }

  private PutObjectRequest sdkPut(UploadPlan plan) {
    PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(plan.key());
    if (plan.contentType() != null) {
      put.contentType(plan.contentType());
    }
    if (plan.size() != null) {
      put.contentLength(plan.size());
    }
    if (plan.checksumSha256() != null) {
      put.checksumAlgorithm(ChecksumAlgorithm.SHA256).checksumSHA256(plan.checksumSha256());
    }
    if (sse != null) {
      put.serverSideEncryption(sse);
    }
    if (sseKmsKeyId != null) {
      put.ssekmsKeyId(sseKmsKeyId);
    }
    return put.build();
  }

  private static String[] uploadIdQuery(String uploadId) {
    return new String[] {"uploadId", requireUploadId(uploadId)};
  }

  private static String requireUploadId(String uploadId) {
    if (uploadId == null || uploadId.isEmpty()) {
      throw new IllegalArgumentException("an upload id is required");
    }
    return uploadId;
  }

  /** The value of each {@link SignedHeader} by ordinal: the plan's, and the bucket's encryption settings. */
  private String[] signedHeaders(UploadPlan plan) {
    String[] signed = new String[SignedHeader.COUNT];
    if (plan.size() != null) {
      signed[SignedHeader.CONTENT_LENGTH.ordinal()] = Long.toString(plan.size());
    }
    signed[SignedHeader.CONTENT_TYPE.ordinal()] = plan.contentType();
    if (plan.checksumSha256() != null) {
      // As the SDK does for a SHA-256 checksum: both headers are signed and must be sent.
      signed[SignedHeader.CHECKSUM_SHA256.ordinal()] = plan.checksumSha256();
      signed[SignedHeader.SDK_CHECKSUM_ALGORITHM.ordinal()] = "SHA256";
    }
    signed[SignedHeader.SERVER_SIDE_ENCRYPTION.ordinal()] = sse;
    signed[SignedHeader.SSE_KMS_KEY_ID.ordinal()] = sseKmsKeyId;
    return signed;
  }

  /** The SDK's signed headers minus Host, which the client's HTTP stack sets from the URL. */
  private static String[] fromSdk(Map<String, List<String>> sdkSigned) {
    String[] signed = new String[SignedHeader.COUNT];
    sdkSigned.forEach((name, values) -> {
      if (!name.equalsIgnoreCase("host")) {
        signed[SignedHeader.ofCanonicalName(name).ordinal()] = String.join(",", values);
      }
    });
    return signed;
  }

  /**
   * Presigns each kind of request once, with every signed header, on the calling (worker) thread, so that the SDK's
   * class loading and first-call setup never land on an event loop.
   */
  public void warmUp() {
    try {
      String key = "warm-up/" + UUID.randomUUID();
      presignPut(new UploadPlan(key, "application/octet-stream", 1L, Base64.getEncoder().encodeToString(new byte[32])));
      presignGet(key, "attachment; filename=\"warm-up\"", CONFIGURED_TTL);
      presignCreateMultipartUpload(key, "application/octet-stream", CONFIGURED_TTL);
      presignUploadPart(key, "warm-up", 1, CONFIGURED_TTL);
      presignListParts(key, "warm-up", CONFIGURED_TTL);
      presignCompleteMultipartUpload(key, "warm-up", CONFIGURED_TTL);
      presignAbortMultipartUpload(key, "warm-up", CONFIGURED_TTL);
      presignDeleteObject(key, CONFIGURED_TTL);
    } catch (CredentialsSnapshot.CredentialsUnavailableException e) {
      // Credentials about to expire: start anyway, not ready, and let the refresh timer recover.
    }
  }

  /**
   * The configured lifetime in seconds, cut to what the signing credentials have left: a URL dies with the
   * session that signed it, whatever X-Amz-Expires says.
   */
  long lifetimeSeconds(AwsCredentials signing, Instant now) {
    long lifetime = ttlSeconds;
    Instant expiry = signing.expirationTime().orElse(null);
    if (expiry != null) {
      long left = expiry.getEpochSecond() - now.getEpochSecond();
      if (left < MIN_USEFUL_TTL.toSeconds()) {
        throw new CredentialsSnapshot.CredentialsUnavailableException("AWS credentials are about to expire");
      }
      lifetime = Math.min(lifetime, left);
    }
    return lifetime;
  }

  @Override
  public void close() {
    if (presigner != null) {
      presigner.close();
    }
  }
}
