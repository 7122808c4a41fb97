package dev.presign.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * load-tests/bench/BenchReport.java (a single-file program bench.sh runs with the source launcher) on results folders
 * written here: it reads wrk's and JMH's outputs as bench.sh leaves them and decides issue 11's verdicts from them.
 */
class BenchReportTest {
  private static Method render;

  @TempDir
  Path dir;

  @BeforeAll
  static void compile(@TempDir Path classes) throws Exception {
    Path source = Path.of("bench/BenchReport.java");
    int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), source.toString());
    assertEquals(0, rc, "BenchReport.java compiles");
    URLClassLoader loader = new URLClassLoader(new java.net.URL[] {classes.toUri().toURL()});
    render = loader.loadClass("BenchReport").getDeclaredMethod("render", Path.class);
    render.setAccessible(true);
  }

  private String report() throws Exception {
    return (String) render.invoke(null, dir);
  }

  /** The goal's table row, whose first cell starts with {@code goal}. */
  private static String row(String report, String goal) {
    return report.lines().filter(l -> l.startsWith("| " + goal)).findFirst()
        .orElseThrow(() -> new AssertionError("no row " + goal + " in\n" + report));
  }

  private void meta(String baseline) throws IOException {
    Files.writeString(dir.resolve("meta.properties"), String.join("\n", "started=2026-12-02T01:00:00Z",
        "revision=abc1234", "baseline_rev=" + baseline, "baseline_subject=Review", "nproc=2", "REPEATS=3",
        "JMH_ROUNDS=3", "SAT_SECONDS=10", "WRK_CONNECTIONS=32", "WRK_THREADS=1", "noop_cur=api", "noop_base=api",
        "elapsed_seconds=1200", "loadavg_start=1 1 1", "JMH_ARGS=-f 1"));
  }

  /** A wrk.lua RESULT line at {@code rps}, with {@code errors} answers ≥ 400. */
  private void wrk(String stack, String endpoint, int round, double rps, int errors) throws IOException {
    Files.writeString(dir.resolve("sat-" + stack + "-" + endpoint + "-" + round + ".txt"), String.format(Locale.ROOT,
        "Running 10s test\nRESULT requests=%d duration_us=10000000 rps=%.1f status_errors=%d connect_errors=0"
            + " read_errors=0 write_errors=0 timeouts=0 p50_us=700 p99_us=3000 p999_us=9000%n",
        (long) (rps * 10), rps, errors));
  }

  /** A JMH CSV as {@code -rf csv} writes it: the score row, then its gc.alloc.rate.norm row. */
  private void jmh(String file, String benchmark, String params, double score, double alloc) throws IOException {
    String header = "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\""
        + (benchmark.startsWith("Handler") ? ",\"Param: alg\",\"Param: jwtCache\"" : ",\"Param: files\"");
    String name = "\"dev.presign.bench." + benchmark;
    Files.writeString(dir.resolve(file), String.join("\n", header,
        name + "\",\"avgt\",1,3," + score + ",0.5,\"us/op\"," + params,
        name + ":gc.alloc.rate\",\"avgt\",1,3,900.0,10.0,\"MB/sec\"," + params,
        name + ":gc.alloc.rate.norm\",\"avgt\",1,3," + alloc + ",1.0,\"B/op\"," + params) + "\n");
  }

  /** Three rounds: presign/no-op 0.75 after and 0.775 before, download 0.70 and sign 0.50 of the no-op. */
  private void saturation() throws IOException {
    for (int r = 1; r <= 3; r++) {
      wrk("cur", "presign", r, 30_000 + r, 0);
      wrk("cur", "noop", r, 40_000, 0);
      wrk("cur", "download", r, 28_000, 0);
      wrk("cur", "sign", r, 20_000, 0);
      wrk("base", "presign", r, 31_000, 0);
      wrk("base", "noop", r, 40_000, 0);
    }
  }

  private void rounds(double handlerBefore, double handlerAfter, double batch, double singles) throws IOException {
    for (int r = 1; r <= 3; r++) {
      jmh("jmh-r" + r + "-handler-before.csv", "HandlerBenchmark.handle", "RS256,on", handlerBefore + r / 100.0, 3_300);
      jmh("jmh-r" + r + "-handler-after.csv", "HandlerBenchmark.handle", "RS256,on", handlerAfter + r / 100.0, 3_500);
      jmh("jmh-r" + r + "-batch.csv", "BatchBenchmark.batch", "100", batch, 330_000);
      jmh("jmh-r" + r + "-singles.csv", "BatchBenchmark.singles", "100", singles, 300_000);
    }
  }

  @Test
  void decides_each_issue_11_goal_from_the_runs_of_one_results_folder() throws Exception {
    meta("fee8574");
    saturation();
    rounds(6.0, 6.5, 330.0, 300.0);
    String report = report();

    String fastPath = row(report, "1 the pipeline does not cost the fast path");
    assertTrue(fastPath.contains("after / before = **0.968×**"), fastPath);
    assertTrue(fastPath.endsWith("| **met** |"), fastPath);
    String operation = row(report, "2 the operation costs what the handler cost");
    assertTrue(operation.contains("after **6.52 µs**, before 6.02 µs"), operation);
    assertTrue(operation.contains("3,500 vs 3,300 B/op"), operation);
    assertTrue(operation.endsWith("| **not met** |"), operation + ": 1.08 > 1.05");
    assertTrue(row(report, "3 download vs no-op").contains("**0.70** (28,000 / 40,000"));
    assertTrue(row(report, "3 download vs no-op").endsWith("| **met** |"));
    assertTrue(row(report, "3 sign (UploadPart) vs no-op").endsWith("| **not met** |"));
    String batch = row(report, "4 a batch costs its files");
    assertTrue(batch.contains("batch 3.30 µs per file, singles 3.00 µs per file"), batch);
    assertTrue(batch.contains("**1.10×**") && batch.contains("3,300 vs 3,000 B per file"), batch);
    assertTrue(batch.endsWith("| **met** |"), batch);
    assertTrue(report.indexOf("## Goals (issue 11") < report.indexOf("## Goals (issue 6"), "issue 11's goals first");
  }

  @Test
  void saturation_table_has_a_row_per_endpoint_each_gateway_serves() throws Exception {
    meta("fee8574");
    saturation();
    String report = report();
    List<String> rows = report.lines().filter(l -> l.startsWith("| after `") || l.startsWith("| before `")).toList();
    assertEquals(6, rows.size(), String.join("\n", rows));
    assertTrue(rows.stream().anyMatch(l -> l.startsWith("| after `abc1234` | `POST /api/s3/download` | **28,000**")));
    assertTrue(rows.stream().anyMatch(l -> l.startsWith("| after `abc1234` | `POST /api/s3/sign` (UploadPart) |")));
    assertFalse(rows.stream().anyMatch(l -> l.startsWith("| before") && l.contains("/api/s3/sign")));
    assertTrue(report.contains("| **download / no-op** (goal ≥ 0.60) |  | **0.700** |"), report);
  }

  @Test
  void a_run_with_errors_is_left_out_of_the_median_and_of_its_round() throws Exception {
    meta("fee8574");
    saturation();
    wrk("cur", "download", 2, 39_000, 12); // 429s, say: not a measurement of valid downloads
    String download = row(report(), "3 download vs no-op");
    assertTrue(download.contains("**0.70** (28,000 / 40,000 req/s, medians; per round: [0.70, n/a, 0.70])"), download);
    for (int r = 1; r <= 3; r++) {
      wrk("cur", "sign", r, 45_000, 100);
    }
    String sign = row(report(), "3 sign (UploadPart) vs no-op");
    assertTrue(sign.contains("no valid run: 300 answers ≥ 400 or failed requests in 3 runs"), sign);
    assertTrue(sign.endsWith("| not measured |"), sign);
  }

  @Test
  void without_the_pipeline_baseline_goals_1_and_2_are_not_measured() throws Exception {
    meta("bac23dc");
    saturation();
    rounds(6.0, 6.0, 300.0, 300.0);
    String report = report();
    assertTrue(row(report, "1 the pipeline").contains("not measured (the goal's before is fee8574; this run's"
        + " baseline: bac23dc)"));
    assertTrue(row(report, "2 the operation").endsWith("| not measured |"));
    assertTrue(row(report, "4 a batch costs its files").endsWith("| **met** |"));
  }
}
