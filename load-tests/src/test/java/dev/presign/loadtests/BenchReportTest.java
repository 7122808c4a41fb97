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
  private static Method keep;
  private static Method shortfall;
  private static Method gatling;

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
    Class<?> report = loader.loadClass("BenchReport");
    keep = report.getDeclaredMethod("keep", String.class, String.class);
    keep.setAccessible(true);
    gatling = report.getDeclaredMethod("gatling", Path.class);
    gatling.setAccessible(true);
    shortfall = report.getDeclaredMethod("gatlingShortfall", java.util.Map.class, double.class, double.class,
        double.class);
    shortfall.setAccessible(true);
  }

  private static String keep(String previous, String rendered) throws Exception {
    return (String) keep.invoke(null, previous, rendered);
  }

  private String report() throws Exception {
    return report(dir);
  }

  private static String report(Path folder) throws Exception {
    return (String) render.invoke(null, folder);
  }

  /** The lines from the one starting with {@code from} up to, not including, the one starting with {@code to}. */
  private static String section(String report, String from, String to) {
    int a = report.indexOf(from);
    int b = report.indexOf(to, a);
    assertTrue(a >= 0 && b > a, "no " + from + " … " + to + " in\n" + report);
    // The Dockerfile's base image is the Dockerfile's business, not the report's.
    return report.substring(a, b).replaceAll(" The Dockerfile's last stage runs on `[^`]*`\\.", "");
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

  /**
   * The results folder of a real bench.sh run (bench-20261202T023355Z: RESULT and STATUS lines, JMH CSVs, meta) and
   * the goal tables BENCHMARKS.md showed from it, before the goals became a table: the same rows, figures, verdicts.
   */
  @Test
  void renders_the_goal_tables_of_a_real_run_as_the_report_of_that_run_showed_them() throws Exception {
    Path run = Path.of("src/test/resources/bench-run-20261202");
    String expected = Files.readString(run.resolve("expected-goals.md"));
    String report = report(run);
    assertEquals(section(expected, "## Goals (issue 11", "## Goals (issue 6"),
        section(report, "## Goals (issue 11", "## Goals (issue 6"));
    assertEquals(section(expected + "## Machine", "## Goals (issue 6", "## Machine"),
        section(report, "## Goals (issue 6", "## Machine"));
    assertTrue(report.contains("| 4 no errors under load | "), report);
  }

  @Test
  void every_goal_has_its_row_and_says_not_measured_when_nothing_was_measured() throws Exception {
    Files.writeString(dir.resolve("meta.properties"), "started=2026-12-02T01:00:00Z\nrevision=abc1234\nnproc=2\n");
    String report = report();
    List<String> goals = List.of("1 the pipeline does not cost the fast path", "2 the operation costs what the handler"
        + " cost", "3 download vs no-op", "3 sign (UploadPart) vs no-op", "4 a batch costs its files", "1 signing step",
        "2 cold verification by JDK", "3 repeated tokens", "4 throughput vs no-op", "4 latency at half load",
        "4 no errors under load", "5 batch grows linearly", "5 memory flat");
    for (String goal : goals) {
      assertTrue(row(report, goal).endsWith("| not measured |"), row(report, goal));
    }
    assertEquals(goals.size(), report.lines().filter(l -> l.matches("\\| [0-9] .*")).count(), report);
    assertTrue(report.contains("## Gatling: the signing path at a fixed rate\n\nnot measured"), report);
  }

  private static final String RENDERED = "# Benchmarks\n\nintro\n\n## Goals\n\n| goal |\n|---|\n\n## Machine and setup\n\n"
      + "| CPU | x |\n\n## Saturation\n\ntext\n";

  @Test
  void keeps_each_kept_block_verbatim_at_the_end_of_the_section_it_was_in() throws Exception {
    String block = "<!-- kept: container-settings -->\n| container | `--cpus=2  --memory=1g` |\n  *by hand*  \n"
        + "<!-- /kept: container-settings -->";
    String previous = "# Benchmarks\n\nold intro\n\n## Machine and setup\n\n| CPU | old |\n\n" + block
        + "\n\n## Saturation\n\nold text\n";
    String kept = keep(previous, RENDERED);
    assertTrue(kept.contains("| CPU | x |\n\n" + block + "\n\n## Saturation"), kept);
    assertEquals(kept, keep(kept, RENDERED), "rendering again keeps it once, in the same place");
    assertEquals(RENDERED, keep("# Benchmarks\n\n## Machine and setup\n", RENDERED), "no block: the report as rendered");
  }

  @Test
  void a_kept_block_whose_section_is_gone_goes_at_the_end_and_blocks_keep_their_order() throws Exception {
    String previous = "# Benchmarks\n\n## Old section\n\n<!-- kept: a -->\nfirst\n<!-- /kept: a -->\n\n"
        + "<!-- kept: b -->\nsecond\n<!-- /kept: b -->\n";
    String kept = keep(previous, RENDERED);
    assertTrue(kept.endsWith("text\n\n<!-- kept: a -->\nfirst\n<!-- /kept: a -->\n\n<!-- kept: b -->\nsecond\n"
        + "<!-- /kept: b -->\n"), kept);
  }

  @Test
  void a_start_line_without_its_end_line_keeps_nothing() throws Exception {
    String previous = "## Machine and setup\n\n<!-- kept: open -->\nnever closed\n<!-- /kept: other -->\n";
    assertEquals(RENDERED, keep(previous, RENDERED));
  }

  /** FixedRateSimulation's console lines as Gatling 3.15 prints them. */
  private void gatlingOutput(String file, long count, long failed, int p50, int p95, int p99) throws IOException {
    Files.writeString(dir.resolve(file), String.join("\n",
        "---- Global Information ----", "> request count  |  " + count + " |",
        "Reports generated, please open the following file: file:///x/fixedratesimulation-1/index.html",
        "Global: count of failed events is 0.0 : " + (failed == 0) + " (actual : " + failed + ".0)",
        "measured: count of all events is greater than or equal to 0.0 : true (actual : " + count + ".0)",
        "measured: count of failed events is greater than or equal to 0.0 : true (actual : " + failed + ".0)",
        "measured: 50th percentile of response time is greater than or equal to 0.0 : true (actual : " + p50 + ".0)",
        "measured: 95th percentile of response time is greater than or equal to 0.0 : true (actual : " + p95 + ".0)",
        "measured: 99th percentile of response time is greater than or equal to 0.0 : true (actual : " + p99 + ".0)",
        "measured: 99.9th percentile of response time is greater than or equal to 0.0 : true (actual : 40.0)",
        "measured: max of response time is greater than or equal to 0.0 : true (actual : 55.0)") + "\n");
  }

  @Test
  void reads_gatlings_measured_phase_from_its_assertion_lines_and_knows_when_it_fell_behind() throws Exception {
    gatlingOutput("g.txt", 10_000, 0, 1, 3, 9);
    @SuppressWarnings("unchecked")
    java.util.Map<String, Double> g = (java.util.Map<String, Double>) gatling.invoke(null, dir.resolve("g.txt"));
    assertEquals(10_000, g.get("count"));
    assertEquals(0, g.get("failed"));
    assertEquals(3, g.get("p95_ms"));
    assertEquals(9, g.get("p99_ms"));
    assertEquals(40, g.get("p999_ms"));
    assertEquals(55, g.get("max_ms"));
    assertEquals(null, shortfall.invoke(null, g, 1000.0, 10.0, 50.0), "sustained");
    assertEquals("p99 9 ms > 5 ms", shortfall.invoke(null, g, 1000.0, 10.0, 5.0));
    assertEquals("10,000 of 20,000 requests sent", shortfall.invoke(null, g, 2000.0, 10.0, 50.0));
    gatlingOutput("bad.txt", 9_000, 12, 900, 1500, 2000);
    assertEquals("12 failed, p99 2,000 ms > 50 ms", shortfall.invoke(null, gatling.invoke(null, dir.resolve("bad.txt")),
        900.0, 10.0, 50.0));
    assertEquals("no result (the run did not finish)", shortfall.invoke(null, gatling.invoke(null, dir.resolve("none")),
        900.0, 10.0, 50.0));
  }

  @Test
  void the_gatling_section_sets_gatlings_figures_beside_openloads_and_states_the_rate_gatling_sustained()
      throws Exception {
    meta("fee8574");
    saturation();
    Files.writeString(dir.resolve("meta.properties"), Files.readString(dir.resolve("meta.properties"))
        + "\ngatling_rate=1000\ngatling_probed=500 1000 2000\nGATLING_SECONDS=20\nGATLING_PROBE_SECONDS=10\n"
        + "GATLING_WARMUP_SECONDS=5\nGATLING_P99_MS=50\ngatling_version=3.15.1\n"
        + "gatling_report=load-tests/target/bench-x/gatling-report/index.html\n");
    gatlingOutput("gatling-probe-500.txt", 5_000, 0, 1, 2, 4);
    gatlingOutput("gatling-probe-1000.txt", 10_000, 0, 1, 3, 9);
    gatlingOutput("gatling-probe-2000.txt", 17_000, 40, 700, 1900, 2500);
    gatlingOutput("gatling.txt", 20_000, 0, 2, 4, 12);
    Files.writeString(dir.resolve("lat-cur-gatling-rate.txt"), "RESULT target=presign rate=1000.0 warmup_s=5.0"
        + " duration_s=20.0 scheduled=20000 requests=20000 ok=19998 non2xx=2 errors=0 timeouts=0 unsent=0 late=3"
        + " waited=0 achieved_rps=1000.0 p50_us=650 p90_us=900 p95_us=1100 p99_us=3000 p999_us=6000 max_us=9000\n");
    String report = report();
    String section = section(report, "## Gatling", "## Memory");
    assertTrue(section.contains("| Gatling | 1,000 | 20,000 | 0 | 2 | 4 | **12** | 40 | 55 |"), section);
    assertTrue(section.contains("| OpenLoad | 1,000 | 20,000 | 2 | 0.650 | 1.10 | **3.00** | 6.00 | 9.00 |"), section);
    assertTrue(section.contains("`load-tests/target/bench-x/gatling-report/index.html`"), section);
    assertTrue(section.contains("| 2,000 | 17,000 | 40 | 700 | 2,500 | **no**: 17,000 of 20,000 requests sent, 40"
        + " failed, p99 2,500 ms > 50 ms |"), section);
    assertTrue(section.contains("Gatling sustained **1,000 req/s** on this machine; at 2,000 req/s it did not"), section);
    assertTrue(section.contains("Gatling's p99 is 4.00× OpenLoad's here."), section);
    assertTrue(row(report, "4 no errors under load").startsWith("| 4 no errors under load | zero non-2xx answers under"
        + " load (current gateway: warm-up, saturation, fixed rate, soak) | 2 non-2xx"), "OpenLoad's run at Gatling's"
        + " rate is load on the gateway too");
  }
}
