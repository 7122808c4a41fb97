package dev.presign.gateway.signing;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.policy.UploadPlan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import java.util.Base64;
import java.util.UUID;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PutObjectPresignRequest;

/**
 * Signs PUT URLs from the credentials snapshot, so a presign on an event loop reads a volatile field and never
 * waits on a lookup. Two engines make identical URLs: the gateway's own {@link SigV4Presigner} (default, one per
 * thread, about ten times cheaper) and the AWS SDK's {@link S3Presigner} ({@code S3_SIGNER=sdk}), kept as the
 * reference and as the source of the endpoint layout the fast engine uses.
 */
public final class UrlSigner implements AutoCloseable {
  /** A URL must outlive the round trip to the browser and the start of its upload. */
  static final Duration MIN_USEFUL_TTL = Duration.ofSeconds(30);

  static final String PROBE_KEY = "presign-gateway-probe";

  private final S3Presigner presigner;
  private final CredentialsSnapshot credentials;
  private final String bucket;
  private final long ttlSeconds;
  private final String sse;
  private final String sseKmsKeyId;
  private final Clock clock;
  private final ThreadLocal<SigV4Presigner> fast;

  public UrlSigner(GatewayConfig.S3 s3, Duration ttl, CredentialsSnapshot credentials, Clock clock) {
    this.presigner = sdkPresigner(s3, credentials);
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

  public PresignedUpload presignPut(UploadPlan plan) {
    // One read of the snapshot and of the clock: the lifetime cap and the signature use the same credentials.
    AwsCredentials signing = credentials.resolveCredentials();
    Instant now = clock.instant();
    long seconds = lifetimeSeconds(signing, now);
    if (fast != null) {
      // The signer reads whole seconds of the clock; the answer's expiry is counted from the same second.
      String[] signed = signedHeaders(plan);
      String url = fast.get().presignPut(plan.key(), signed, signing, now, seconds);
      return new PresignedUpload(plan.key(), url, signed, Instant.ofEpochSecond(now.getEpochSecond() + seconds));
    }
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
    PresignedPutObjectRequest presigned = presigner.presignPutObject(PutObjectPresignRequest.builder()
        .signatureDuration(Duration.ofSeconds(seconds))
        .putObjectRequest(put.build())
        .build());
    return new PresignedUpload(plan.key(), presigned.url().toString(), fromSdk(presigned.signedHeaders()),
        presigned.expiration());
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
   * Presigns once with every signed header, on the calling (worker) thread, so that the SDK's class loading and
   * first-call setup never land on an event loop.
   */
  public void warmUp() {
    try {
      presignPut(new UploadPlan("warm-up/" + UUID.randomUUID(), "application/octet-stream", 1L,
          Base64.getEncoder().encodeToString(new byte[32])));
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
    presigner.close();
  }
}
