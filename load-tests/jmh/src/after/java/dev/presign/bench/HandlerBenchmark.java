package dev.presign.bench;

import dev.presign.gateway.http.operations.PresignPut;
import io.vertx.core.buffer.Buffer;
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
 * What POST /api/s3/presign does for one request, minus HTTP and the rate limit, as the pipeline does it: verify
 * the bearer token (TokenVerifier: claims, signature), then hand the call to the endpoint's operation,
 * {@code PresignPut.answer(call)}: read the body (PresignBody), plan the key (KeyPolicy), sign (UrlSigner, timed into
 * the signing metric), write the JSON answer. src/before/java has the same measurement on the baseline's
 * PresignHandler (fee8574), for the before/after comparison.
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

  private HandlerFixture fixture;
  private PresignPut put;
  private BenchCall call;

  @Setup
  public void setUp() {
    fixture = new HandlerFixture(alg, jwtCache, Map.of());
    put = new PresignPut(fixture.policy, fixture.signer, fixture.metrics);
    call = new BenchCall(null, Buffer.buffer(
        "{\"filename\":\"Quarterly Report.pdf\",\"contentType\":\"application/pdf\",\"size\":482113}"));
    handle();
  }

  @TearDown
  public void tearDown() {
    fixture.close();
  }

  @Benchmark
  public String handle() {
    call.caller = fixture.verify();
    return (String) put.answer(call);
  }
}
