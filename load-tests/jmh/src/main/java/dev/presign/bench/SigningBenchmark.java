package dev.presign.bench;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.signing.PresignedUpload;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * One presigned PUT (content-type and content-length signed): by the AWS SDK's S3Presigner alone, and by the
 * gateway's UrlSigner around it (credentials snapshot, lifetime cap, client headers). The SDK needs 15-20 s of
 * warm-up before its cost settles, hence 2 x 10 s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SigningBenchmark {
  private static final String KEY = "users/alice/3aa81faf-891a-48af-a7a4-14d1e16b7c32/Quarterly Report.pdf";

  private Vertx vertx;
  private S3Presigner sdk;
  private UrlSigner signer;
  private final UploadPlan plan = new UploadPlan(KEY, "application/pdf", 482_113L, null);

  @Setup
  public void setUp() {
    vertx = Vertx.vertx();
    GatewayConfig config = Fixtures.config(Map.of());
    // Configured as UrlSigner configures it, so the difference between the two is the gateway's own work.
    sdk = S3Presigner.builder()
        .region(Region.of(config.s3().region()))
        .endpointOverride(config.s3().endpoint())
        .credentialsProvider(Fixtures.CREDENTIALS)
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).useArnRegionEnabled(false)
            .multiRegionEnabled(false).checksumValidationEnabled(false).build())
        .build();
    signer = new UrlSigner(config.s3(), config.uploads().presignTtl(), Fixtures.credentials(vertx), Clock.systemUTC());
  }

  @TearDown
  public void tearDown() {
    sdk.close();
    signer.close();
    vertx.close().await();
  }

  @Benchmark
  public PresignedPutObjectRequest sdkPresignPut() {
    return sdk.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
        .putObjectRequest(r -> r.bucket("dev-bucket").key(KEY).contentType("application/pdf").contentLength(482_113L)));
  }

  @Benchmark
  public PresignedUpload urlSignerPresignPut() {
    return signer.presignPut(plan);
  }

  /**
   * N URLs in one call, the shape batch presigns and multipart part-signing take: the whole batch's time, to be
   * divided by N and compared with {@link #urlSignerPresignPut} (work must grow linearly). Distinct keys, as a
   * batch has them; the list of results is what a handler would serialise.
   */
  @State(Scope.Thread)
  public static class Batch {
    @Param({"1", "100", "10000"})
    public int n;
    UploadPlan[] plans;

    @Setup
    public void setUp() {
      plans = new UploadPlan[n];
      for (int i = 0; i < n; i++) {
        plans[i] = new UploadPlan(KEY.replace("Quarterly", "Part " + i), "application/pdf", 482_113L + i, null);
      }
    }
  }

  @Benchmark
  public PresignedUpload[] presignBatch(Batch batch) {
    PresignedUpload[] out = new PresignedUpload[batch.n];
    for (int i = 0; i < batch.n; i++) {
      out[i] = signer.presignPut(batch.plans[i]);
    }
    return out;
  }
}
