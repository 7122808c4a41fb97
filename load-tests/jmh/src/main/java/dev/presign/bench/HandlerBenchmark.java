package dev.presign.bench;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.auth.KeySource;
import dev.presign.gateway.auth.TokenVerifier;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.http.PresignBody;
import dev.presign.gateway.http.operations.PresignPut;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.UploadRequest;
import dev.presign.gateway.signing.PresignedUpload;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.util.List;
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

/**
 * What POST /api/s3/presign does for one request, minus HTTP, with the gateway's own code for each step: read the
 * JSON body (PresignBody), verify the bearer token (TokenVerifier: claims, signature), plan the key (KeyPolicy),
 * sign (UrlSigner), write the JSON answer (PresignPut.answer).
 * RS256 by default, the local stack's algorithm ({@code -p alg=ES256} for the other); with the verified-token cache
 * on (one caller presigning again with the same token) and off (every token's signature checked).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class HandlerBenchmark {
  @Param({"RS256"})
  public String alg;

  /** "on": the gateway's default verified-token cache, holding this token after the first call; "off": JWT_CACHE_SIZE=0. */
  @Param({"on", "off"})
  public String jwtCache;

  private Vertx vertx;
  private TokenVerifier verifier;
  private KeyPolicy policy;
  private UrlSigner signer;
  private String authorization;
  private final Buffer body = Buffer.buffer(
      "{\"filename\":\"Quarterly Report.pdf\",\"contentType\":\"application/pdf\",\"size\":482113}");

  @Setup
  public void setUp() {
    vertx = Vertx.vertx();
    Keys keys = Keys.generate(alg);
    GatewayConfig config = Fixtures.config(jwtCache.equals("off")
        ? Map.of("JWT_ALGORITHMS", alg, "JWT_CACHE_SIZE", "0") : Map.of("JWT_ALGORITHMS", alg));
    KeySource keySource = new KeySource(vertx, config.jwt(), List.of(), List.of(keys.verifyJwk()), null);
    keySource.start().await();
    verifier = new TokenVerifier(vertx, keySource, config.jwt(), Clock.systemUTC());
    policy = new KeyPolicy(config.uploads());
    signer = new UrlSigner(config.s3(), config.uploads().presignTtl(), Fixtures.credentials(vertx), Clock.systemUTC());
    authorization = "Bearer " + keys.token(vertx, "alice");
    handle();
  }

  @TearDown
  public void tearDown() {
    signer.close();
    vertx.close().await();
  }

  @Benchmark
  public String handle() {
    UploadRequest request = PresignBody.parse(body);
    var verified = verifier.verify(authorization);
    if (!verified.succeeded()) {
      throw new IllegalStateException("token refused: " + verified.cause(), verified.cause());
    }
    Caller caller = verified.result();
    PresignedUpload upload = signer.presignPut(policy.plan(caller, request));
    return PresignPut.answer(upload);
  }
}
