package dev.presign.gateway.signing;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.policy.UploadPlan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Signs PUT URLs with one {@link S3Presigner} for the process. Its credentials provider is the snapshot, so a
 * presign on an event loop reads a volatile field and never waits on a lookup.
 */
public final class UrlSigner implements AutoCloseable {
  /** A URL must outlive the round trip to the browser and the start of its upload. */
  static final Duration MIN_USEFUL_TTL = Duration.ofSeconds(30);

  private final S3Presigner presigner;
  private final CredentialsSnapshot credentials;
  private final String bucket;
  private final Duration ttl;
  private final Clock clock;

  public UrlSigner(GatewayConfig.S3 s3, Duration ttl, CredentialsSnapshot credentials, Clock clock) {
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
    this.presigner = builder.build();
    this.credentials = credentials;
    this.bucket = s3.bucket();
    this.ttl = ttl;
    this.clock = clock;
  }

  public PresignedUpload presignPut(UploadPlan plan) {
    Duration lifetime = lifetime();
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
    PresignedPutObjectRequest signed = presigner.presignPutObject(PutObjectPresignRequest.builder()
        .signatureDuration(lifetime)
        .putObjectRequest(put.build())
        .build());
    return new PresignedUpload(plan.key(), signed.url().toString(), clientHeaders(signed.signedHeaders()),
        signed.expiration());
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
   * The configured lifetime, cut to what the signing credentials have left: a URL dies with the session that
   * signed it, whatever X-Amz-Expires says.
   */
  Duration lifetime() {
    credentials.resolveCredentials(); // throws when there are none
    Duration lifetime = ttl;
    Instant expiry = credentials.expiration().orElse(null);
    if (expiry != null) {
      Duration left = Duration.between(clock.instant(), expiry);
      if (left.compareTo(MIN_USEFUL_TTL) < 0) {
        throw new CredentialsSnapshot.CredentialsUnavailableException("AWS credentials are about to expire");
      }
      if (left.compareTo(lifetime) < 0) {
        lifetime = left;
      }
    }
    return lifetime;
  }

  /** Signed headers minus Host, which the client's HTTP stack sets from the URL. */
  private static Map<String, String> clientHeaders(Map<String, List<String>> signed) {
    Map<String, String> headers = new LinkedHashMap<>();
    signed.forEach((name, values) -> {
      if (!name.equalsIgnoreCase("host")) {
        headers.put(canonicalName(name), String.join(",", values));
      }
    });
    return headers;
  }

  private static String canonicalName(String name) {
    return switch (name.toLowerCase()) {
      case "content-type" -> "Content-Type";
      case "content-length" -> "Content-Length";
      default -> name.toLowerCase();
    };
  }

  @Override
  public void close() {
    presigner.close();
  }
}
