package dev.presign.gateway.s3;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.metrics.GatewayMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * The one S3 API client of the process, for the calls presigning cannot cover (HeadObject, multipart, listing):
 * the SDK's {@link S3AsyncClient} on {@code netty-nio-client} (one I/O thread of its own, see {@link #create}),
 * resolving host names without blocking, signing with the credentials
 * snapshot the URL signer reads (never blocks). Every call is bounded by {@code S3_API_TIMEOUT_MS} with
 * {@code S3_API_MAX_RETRIES} retries, timed into {@code presign_s3_call_seconds}, and completes on the Vert.x context
 * that made it.
 */
public final class S3Api implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(S3Api.class);
  /** The client, once {@link #startBuilding} has built it. */
  private final CompletableFuture<S3AsyncClient> client;
  private final String bucket;
  private final GatewayMetrics metrics;
  private final Duration callTimeout;
  /**
   * Where calls are made: two threads of the gateway's own, so the SDK's synchronous part of a call never runs on
   * an event loop. Bounded: past 10,000 calls waiting, a call fails at once (a 5xx problem) instead of queueing.
   */
  private final ExecutorService submitter = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(10_000), runnable -> {
        Thread t = new Thread(runnable, "presign-s3-calls");
        t.setDaemon(true);
        return t;
      });

  private S3Api(CompletableFuture<S3AsyncClient> client, String bucket, GatewayMetrics metrics, Duration callTimeout) {
    this.client = client;
    this.bucket = bucket;
    this.metrics = metrics;
    this.callTimeout = callTimeout;
  }

  /**
   * The client, built and warmed up by {@code background} (a worker: it loads many classes, never an event loop's
   * job; {@code Runnable::run} builds it on the caller's thread) while the caller goes on: the gateway starts and
   * turns ready without it (building it took 1-2 s of a cold start). A call made before the client is there waits
   * for it, within its own time limit; a client that could not be built fails every call as S3 being unreachable
   * would.
   */
  public static S3Api startBuilding(GatewayConfig config, AwsCredentialsProvider credentials, GatewayMetrics metrics,
                                    java.util.concurrent.Executor background) {
    CompletableFuture<S3AsyncClient> building = CompletableFuture.supplyAsync(() -> client(config, credentials),
        background);
    S3Api s3Api = new S3Api(building.handle((built, failure) -> {
      if (failure != null) {
        LOG.error("the S3 API client could not be built: confirm, multipart and listing calls will fail", failure);
        throw SdkClientException.create("the S3 API client could not be built", failure);
      }
      return built;
    }), config.s3().bucket(), metrics, config.s3Api().callTimeout());
    s3Api.client.thenRunAsync(s3Api::warmUp, background);
    return s3Api;
  }

  private static S3AsyncClient client(GatewayConfig config, AwsCredentialsProvider credentials) {
    GatewayConfig.S3 s3 = config.s3();
    GatewayConfig.S3Api api = config.s3Api();
    Duration attempt = api.callTimeout().dividedBy(api.maxRetries() + 1L);
    NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
        // One I/O thread of the SDK's own. Vert.x's event loops cannot be shared: this SDK resolves a group's
        // channel types by class and refuses Netty 4.2's MultiThreadIoEventLoopGroup, which Vert.x 5 uses
        // ("Unknown event loop group"). One thread is plenty for these few calls, and it keeps their I/O off the
        // loops that serve presigns.
        .eventLoopGroupBuilder(SdkEventLoopGroup.builder().numberOfThreads(1))
        // The JDK resolver blocks its thread (that one I/O thread): Netty's DNS resolver does not.
        .useNonBlockingDnsResolver(true)
        .maxConcurrency(api.maxConnections())
        // Callers beyond the pool wait at most one call's time, then fail (a 504) rather than queue unbounded.
        .maxPendingConnectionAcquires(api.maxConnections() * 4)
        .connectionAcquisitionTimeout(api.callTimeout())
        .connectionTimeout(min(attempt, Duration.ofSeconds(2)))
        .readTimeout(attempt)
        .writeTimeout(attempt);
    S3AsyncClientBuilder builder = S3AsyncClient.builder()
        .region(Region.of(s3.region()))
        .credentialsProvider(credentials)
        .httpClientBuilder(http)
        .forcePathStyle(s3.pathStyle())
        // Set explicitly: left unset, the SDK reads ~/.aws profile files for them.
        .serviceConfiguration(S3Configuration.builder().useArnRegionEnabled(false).multiRegionEnabled(false).build())
        .disableS3ExpressSessionAuth(true)
        // Checksums only where S3 requires them: S3-compatible stores do not all know the newer algorithms.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(o -> o
            .addExecutionInterceptor(STOP_WARM_UP)
            .apiCallTimeout(api.callTimeout())
            .apiCallAttemptTimeout(attempt)
            .retryStrategy(r -> r.maxAttempts(api.maxRetries() + 1)));
    if (s3.endpoint() != null) {
      builder.endpointOverride(s3.endpoint());
    }
    return builder.build();
  }

  /** Marks a warm-up request: {@link #STOP_WARM_UP} fails it just before it would go out. */
  private static final ExecutionAttribute<Boolean> WARM_UP = new ExecutionAttribute<>("presign-gateway.warmUp");
  private static final ExecutionInterceptor STOP_WARM_UP = new ExecutionInterceptor() {
    @Override
    public void beforeTransmission(software.amazon.awssdk.core.interceptor.Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (Boolean.TRUE.equals(attributes.getAttribute(WARM_UP))) {
        throw new WarmedUp();
      }
    }
  };

  /** Ends a warm-up request where it would be sent. */
  private static final class WarmedUp extends RuntimeException {
    WarmedUp() {
      super("warm-up request, not sent", null, false, false);
    }
  }

  /**
   * Every S3 action the gateway calls, each run up to the point of sending (marshalling, endpoint rules, signing)
   * and then stopped, on the calling (worker) thread: the SDK's first-call work for each action (its classes load
   * then, ~200 ms for the first CreateMultipartUpload) never lands on an event loop, and nothing reaches S3.
   */
  private void warmUp() {
    S3AsyncClient client = this.client.join();
    java.util.function.Consumer<AwsRequestOverrideConfiguration.Builder> warm = o -> o.putExecutionAttribute(WARM_UP,
        true);
    String key = "presign-gateway-warm-up";
    String id = "warm-up";
    List<CompletableFuture<?>> calls = List.of(
        client.headObject(b -> b.bucket(bucket).key(key).overrideConfiguration(warm)),
        client.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType("application/octet-stream")
            .overrideConfiguration(warm)),
        client.listMultipartUploads(b -> b.bucket(bucket).prefix(key).overrideConfiguration(warm)),
        client.listParts(b -> b.bucket(bucket).key(key).uploadId(id).overrideConfiguration(warm)),
        client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id)
            .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag("\"0\"").build()))
            .overrideConfiguration(warm)),
        client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id).overrideConfiguration(warm)),
        client.listObjectsV2(b -> b.bucket(bucket).prefix(key).maxKeys(1).overrideConfiguration(warm)));
    for (CompletableFuture<?> call : calls) {
      try {
        call.get(5, TimeUnit.SECONDS);
      } catch (Exception expected) {
        // Stopped before sending, as intended (or slower than a warm-up is worth waiting for).
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) < 0 ? a : b;
  }

  public String bucket() {
    return bucket;
  }

  /** How long one call may take, retries included. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /**
   * Runs one S3 action, {@code operation} naming it in the metric (a fixed name such as {@code head_object}). The
   * future completes on the caller's Vert.x context; it fails with the SDK's exception, unwrapped.
   */
  public <T> Future<T> call(String operation, Function<S3AsyncClient, CompletableFuture<T>> action) {
    Context context = Vertx.currentContext();
    long start = System.nanoTime();
    // A client still being built is waited for within the call's time, else the call fails as a timeout.
    CompletableFuture<S3AsyncClient> built = client.isDone() ? client : client.copy()
        .orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> {
          throw S3Fault.unwrap(e) instanceof java.util.concurrent.TimeoutException t ? SdkClientException.create(
              "the S3 API client was not built within " + callTimeout.toMillis() + " ms", t)
              : new java.util.concurrent.CompletionException(S3Fault.unwrap(e));
        });
    // The SDK does much of a call's work on the thread that makes it (endpoint rules, marshalling, signing: ms per
    // call, not µs): made on the gateway's own S3 threads, never on an event loop.
    CompletableFuture<T> result = built.thenComposeAsync(action, submitter);
    CompletableFuture<T> timed = result.handle((value, failure) -> {
      Throwable cause = S3Fault.unwrap(failure);
      metrics.s3Call(operation, S3Fault.of(cause).label(), System.nanoTime() - start);
      if (cause != null) {
        throw new S3CallException(cause);
      }
      return value;
    });
    Future<T> future = context == null ? Future.fromCompletionStage(timed) : Future.fromCompletionStage(timed, context);
    return future.recover(e -> Future.failedFuture(S3Fault.unwrap(e)));
  }

  /** Closes the client's connections; Vert.x's event loops stay theirs. */
  @Override
  public void close() {
    submitter.shutdown();
    // A client still being built is closed once it is (close waits for nothing that is not there yet).
    client.whenComplete((built, failure) -> {
      if (built != null) {
        built.close();
      }
    });
  }

  /** Carries the SDK's failure through a CompletableFuture stage without another CompletionException layer. */
  static final class S3CallException extends RuntimeException {
    S3CallException(Throwable cause) {
      super(null, cause, false, false);
    }
  }
}
