package dev.presign.bench;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.http.PresignBody;
import dev.presign.gateway.http.PresignHandler;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.policy.UploadRequest;
import dev.presign.gateway.signing.PresignedUpload;
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
 * The "before" of src/after/java's HandlerBenchmark, written against the baseline fee8574 (the last revision
 * before the pipeline): what its PresignHandler did once the token was verified and the rate limit charged
 * (PresignHandler.Exchange.authenticated), step for step: PresignBody.parse, KeyPolicy.plan, UrlSigner.presignPut
 * timed into the signing metric, PresignHandler.answer. Same fixture, parameters and body as the after side.
 * Built only for the baseline: {@code mvn package -Dbench.side=before -Dgateway.jar=<baseline jar>}.
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

  @Param({"on", "off"})
  public String jwtCache;

  private HandlerFixture fixture;
  private final Buffer body = Buffer.buffer(
      "{\"filename\":\"Quarterly Report.pdf\",\"contentType\":\"application/pdf\",\"size\":482113}");

  @Setup
  public void setUp() {
    fixture = new HandlerFixture(alg, jwtCache, Map.of());
    handle();
  }

  @TearDown
  public void tearDown() {
    fixture.close();
  }

  @Benchmark
  public String handle() {
    Caller caller = fixture.verify();
    UploadRequest upload = PresignBody.parse(body);
    UploadPlan plan = fixture.policy.plan(caller, upload);
    long start = System.nanoTime();
    PresignedUpload signed = fixture.signer.presignPut(plan);
    fixture.metrics.signing(System.nanoTime() - start);
    return PresignHandler.answer(signed);
  }
}
