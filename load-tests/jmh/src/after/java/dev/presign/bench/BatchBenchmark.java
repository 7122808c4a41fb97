package dev.presign.bench;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.http.operations.PresignBatch;
import dev.presign.gateway.http.operations.PresignPut;
import io.vertx.core.buffer.Buffer;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * A batch of N files against N single presigns of the same files, both as the pipeline calls the operations (after
 * the token and the rate limit): {@code batch} is one {@code PresignBatch.answer} on a {@code {"files":[…]}} body
 * of N files, {@code singles} is N {@code PresignPut.answer} calls on the N single bodies. Both scores are for all N
 * files, so batch / singles is the per-file cost ratio (issue 11: ≤ 1.2 at N = 100, BATCH_MAX_FILES). The audit
 * line of each file (one per single, one item per batch file) is written by the pipeline, in neither score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class BatchBenchmark {
  private static final String[][] TYPES = {{"application/pdf", "pdf"}, {"image/png", "png"}, {"text/csv", "csv"}};

  @Param({"100"})
  public int files;

  private HandlerFixture fixture;
  private PresignPut put;
  private PresignBatch batch;
  private BenchCall batchCall;
  private BenchCall[] singleCalls;

  @Setup
  public void setUp() {
    fixture = new HandlerFixture("RS256", "on", Map.of("BATCH_MAX_FILES", Integer.toString(files)));
    put = new PresignPut(fixture.policy, fixture.signer, fixture.metrics);
    batch = new PresignBatch(put, fixture.config.uploads().batchMaxFiles());
    Caller caller = new Caller("alice", List.of());
    StringBuilder all = new StringBuilder("{\"files\":[");
    singleCalls = new BenchCall[files];
    for (int i = 0; i < files; i++) {
      String[] type = TYPES[i % TYPES.length];
      String file = "{\"filename\":\"Quarterly Report " + i + "." + type[1] + "\",\"contentType\":\"" + type[0]
          + "\",\"size\":" + (482_113 + i) + "}";
      all.append(i > 0 ? "," : "").append(file);
      singleCalls[i] = new BenchCall(caller, Buffer.buffer(file));
    }
    batchCall = new BenchCall(caller, Buffer.buffer(all.append("]}").toString()));
    // Every file must be signed, not refused: a refusal is cheaper and would flatter either side.
    String answer = batch();
    if (batchCall.items != files || answer.contains("\"status\"")) {
      throw new IllegalStateException("the batch was not signed file for file: " + answer);
    }
    for (BenchCall call : singleCalls) {
      put.answer(call); // throws if a single is refused
    }
  }

  @TearDown
  public void tearDown() {
    fixture.close();
  }

  @Benchmark
  public String batch() {
    return (String) batch.answer(batchCall);
  }

  @Benchmark
  public void singles(Blackhole bh) {
    for (BenchCall call : singleCalls) {
      bh.consume(put.answer(call));
    }
  }
}
