import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one bench.sh results folder into BENCHMARKS.md (on stdout). Run by bench.sh with the JDK's source
 * launcher, {@code java load-tests/bench/BenchReport.java RESULTS_DIR}: no build, no dependency. Every part whose
 * files are missing (no baseline, no soak, JMH skipped, a benchmark not written yet) says "not measured".
 *
 * <p>Inputs: {@code meta.properties}; {@code sat-<stack>-<endpoint>-<n>.txt} (wrk.lua's RESULT line) and
 * {@code lat-<stack>-<endpoint>-<n>.txt} (OpenLoad's RESULT line) with stack {@code cur} or {@code base} and endpoint
 * {@code presign}, {@code noop}, {@code download} or {@code sign} (saturation only); {@code warmup-*.txt};
 * {@code soak-samples.txt} (SAMPLE lines) and {@code soak-load.txt} (OpenLoad's INTERVAL and RESULT lines);
 * {@code jmh.csv}, {@code jmh-jdk25.csv}, {@code jmh-r<n>-<run>.csv} (the interleaved rounds, run
 * {@code handler-before}, {@code handler-after}, {@code batch} or {@code singles}); {@code gatling-probe-<rate>.txt}
 * and {@code gatling.txt} (Gatling's console: FixedRateSimulation's assertion lines) with {@code
 * lat-cur-gatling-rate.txt} (OpenLoad at Gatling's rate); {@code commands.txt}. With a second argument, the previous
 * report, its kept blocks are kept (see {@link #keep}).
 * BenchReportTest runs it on a folder of its own.
 */
public class BenchReport {
  private static final Pattern KV = Pattern.compile("(\\w+)=(-?[0-9.]+)");
  private static final String NOT = "not measured";
  private static final String[] STACKS = {"base", "cur"};
  private static final String[] ENDPOINTS = {"presign", "noop", "download", "sign"};
  /** The runs of each interleaved JMH round. */
  private static final String[] ROUND_RUNS = {"handler-before", "handler-after", "batch", "singles"};
  /** Issue 11's "before": the last revision before the endpoint pipeline. */
  static final String PIPELINE_BASELINE = "fee8574";

  private final Path dir;
  private final Properties meta;
  private final StringBuilder md = new StringBuilder();
  private final int repeats;
  private final Map<String, List<Map<String, Double>>> sat = new LinkedHashMap<>();
  private final Map<String, List<Map<String, Double>>> lat = new LinkedHashMap<>();
  /** Saturation runs by "stack-endpoint-round", for ratios within one round. */
  private final Map<String, Map<String, Double>> satRound = new LinkedHashMap<>();
  /** The interleaved JMH rounds: run name → its benchmark row in round 1, 2, … (null where missing). */
  private final Map<String, List<Jmh>> rounds = new LinkedHashMap<>();
  private final Map<String, Jmh> jmh;
  private final Map<String, Jmh> jmhCompare;
  /** The soak's SAMPLE lines with an RSS. */
  private final List<Map<String, Double>> soakSamples;
  /** Non-2xx answers, failed requests and all requests sent to the current gateway, every phase. */
  private final long[] failures;

  private static final Pattern KEPT_START = Pattern.compile("<!-- kept: (\\S+) -->");
  private static final Pattern HEADING = Pattern.compile("#{1,6} .*");

  /** {@code BenchReport RESULTS_DIR [PREVIOUS_REPORT]}: the report on stdout, with the previous one's kept blocks. */
  public static void main(String[] args) throws IOException {
    if (args.length == 5 && args[0].equals("--gatling-shortfall")) { // bench.sh: did Gatling keep up with a rate?
      String why = gatlingShortfall(gatling(Path.of(args[1])), Double.parseDouble(args[2]),
          Double.parseDouble(args[3]), Double.parseDouble(args[4]));
      System.out.println(why == null ? "sustained" : why);
      System.exit(why == null ? 0 : 1);
    }
    String report = render(Path.of(args[0]));
    if (args.length > 1 && Files.exists(Path.of(args[1]))) {
      report = keep(Files.readString(Path.of(args[1])), report);
    }
    System.out.print(report);
  }

  /**
   * The new report with every block of the previous one kept verbatim: the lines from {@code <!-- kept: NAME -->} to
   * {@code <!-- /kept: NAME -->}, both included (written by hand or by another tool; this report never writes one).
   * Each goes at the end of the section it was in, the one under the nearest heading above it, when the new report
   * has that heading; else at the end. A start line without its end line is no block, and is said on stderr.
   */
  static String keep(String previous, String rendered) {
    List<String> old = previous.lines().toList();
    List<String> out = new ArrayList<>(rendered.lines().toList());
    String heading = null;
    for (int i = 0; i < old.size(); i++) {
      String line = old.get(i).strip();
      if (HEADING.matcher(line).matches()) {
        heading = line;
        continue;
      }
      Matcher start = KEPT_START.matcher(line);
      if (!start.matches()) {
        continue;
      }
      String endLine = "<!-- /kept: " + start.group(1) + " -->";
      int end = i + 1;
      while (end < old.size() && !old.get(end).strip().equals(endLine)) {
        end++;
      }
      if (end == old.size()) {
        System.err.println("BenchReport: '" + line + "' has no '" + endLine + "': not kept");
        continue;
      }
      List<String> block = old.subList(i, end + 1);
      int at = sectionEnd(out, heading);
      List<String> insert = new ArrayList<>(block);
      if (at > 0 && !out.get(at - 1).isBlank()) {
        insert.add(0, "");
      }
      out.addAll(at, insert);
      for (String b : block) { // a heading inside the block is the nearest one for what follows it
        if (HEADING.matcher(b.strip()).matches()) {
          heading = b.strip();
        }
      }
      i = end;
    }
    while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) {
      out.remove(out.size() - 1);
    }
    return String.join("\n", out) + "\n";
  }

  /** Where a block of the section under {@code heading} goes: before the next heading (and its blank lines). */
  private static int sectionEnd(List<String> lines, String heading) {
    int from = heading == null ? 0 : lines.indexOf(heading);
    if (from < 0) {
      return lines.size();
    }
    int next = from + 1;
    while (next < lines.size() && !HEADING.matcher(lines.get(next).strip()).matches()) {
      next++;
    }
    if (heading == null && next == lines.size()) {
      return lines.size();
    }
    while (next > from + 1 && lines.get(next - 1).isBlank()) {
      next--;
    }
    return next;
  }

  /** The report of one results folder. */
  static String render(Path dir) throws IOException {
    Properties meta = new Properties();
    try (Reader r = Files.newBufferedReader(dir.resolve("meta.properties"))) {
      meta.load(r);
    }
    BenchReport report = new BenchReport(dir, meta);
    report.write();
    return report.md.toString();
  }

  private BenchReport(Path dir, Properties meta) throws IOException {
    this.dir = dir;
    this.meta = meta;
    this.repeats = Integer.parseInt(meta.getProperty("REPEATS", "1"));
    for (String s : STACKS) {
      for (String e : ENDPOINTS) {
        List<Map<String, Double>> satRuns = new ArrayList<>();
        List<Map<String, Double>> latRuns = new ArrayList<>();
        for (int r = 1; r <= repeats; r++) {
          Map<String, Double> w = result(dir.resolve("sat-" + s + "-" + e + "-" + r + ".txt"));
          if (w != null) {
            satRuns.add(w);
            satRound.put(s + "-" + e + "-" + r, w);
          }
          Map<String, Double> o = result(dir.resolve("lat-" + s + "-" + e + "-" + r + ".txt"));
          if (o != null) {
            latRuns.add(o);
          }
        }
        sat.put(s + "-" + e, satRuns);
        lat.put(s + "-" + e, latRuns);
      }
    }
    List<Map<String, Double>> own = new ArrayList<>();
    for (int r = 1; r <= repeats; r++) {
      Map<String, Double> o = result(dir.resolve("lat-base-presign-own-" + r + ".txt"));
      if (o != null) {
        own.add(o);
      }
    }
    lat.put("base-presign-own", own);
    jmh = Jmh.read(dir.resolve("jmh.csv"));
    jmhCompare = Jmh.read(dir.resolve("jmh-jdk25.csv"));
    int jmhRounds = Integer.parseInt(meta.getProperty("JMH_ROUNDS", "0"));
    for (String run : ROUND_RUNS) {
      List<Jmh> byRound = new ArrayList<>();
      for (int r = 1; r <= jmhRounds; r++) {
        byRound.add(Jmh.read(dir.resolve("jmh-r" + r + "-" + run + ".csv")).values().stream().findFirst().orElse(null));
      }
      rounds.put(run, byRound);
    }
    soakSamples = samples();
    failures = currentFailures();
  }

  // ---- the report ---------------------------------------------------------------------------------------------

  private void write() throws IOException {
    long elapsed = Long.parseLong(meta.getProperty("elapsed_seconds", "0"));
    boolean baseline = !meta.getProperty("baseline_rev", "").isBlank();
    md.append("# Benchmarks\n\n")
        .append("Written by `load-tests/bench.sh` on ").append(meta.getProperty("started"))
        .append(" from gateway revision `").append(meta.getProperty("revision")).append("`");
    if (baseline) {
      String rev = meta.getProperty("baseline_rev");
      md.append(", next to the baseline `").append(rev).append("` (").append(meta.getProperty("baseline_subject", ""))
          .append("…)").append(rev.startsWith(PIPELINE_BASELINE) ? ", the last revision before the endpoint pipeline"
              + " (issue 11)" : rev.startsWith("bac23dc") ? ", the last revision before the speed work (issue 6)" : "");
    }
    md.append(", in one run of ").append(elapsed / 60).append(" min ").append(elapsed % 60)
        .append(" s. Every figure below comes from that run; the raw outputs were in `load-tests/target/")
        .append(dir.getFileName()).append("/`.\n\n")
        .append("> **This machine is shared and noisy**: other builds and tests may run beside this benchmark (load")
        .append(" average ").append(meta.getProperty("loadavg_start")).append(" at the start, ")
        .append(meta.getProperty("loadavg_end_http")).append(" after the HTTP runs, ")
        .append(meta.getProperty("loadavg_end")).append(" at the end, on ").append(meta.getProperty("nproc"))
        .append(" CPUs), and the load generators share the CPUs with the gateways. Ratios measured in the same run,")
        .append(" with the runs alternating, matter more than absolute numbers, which move from run to run.\n\n");

    pipelineGoals();
    speedGoals(baseline);
    machine(baseline);
    saturation(baseline);
    latency(baseline);
    gatlingSection();
    soak();
    jmhSection();
    reproduce();
  }

  // ---- the goals: one table each, a row per goal, each measured from the parsed results ---------------------------

  /** What a goal's row shows besides its name and target: the measured value and the verdict. */
  record Outcome(String measured, String verdict) {
    static Outcome of(String measured, boolean met) {
      return new Outcome(measured, met ? "**met**" : "**not met**");
    }

    /** Nothing to measure from: both cells say so. */
    static Outcome notMeasured() {
      return new Outcome(NOT, NOT);
    }

    /** Not measured, and why (or what there was) in the measured cell. */
    static Outcome notMeasured(String measured) {
      return new Outcome(measured, NOT);
    }

    Outcome withVerdict(String verdict) {
      return new Outcome(measured, verdict);
    }
  }

  /** One goal: the first cell of its row, its target, and how this run measures it. */
  record Goal(String name, String target, Function<BenchReport, Outcome> measure) {}

  /** Issue 11: one pipeline for every endpoint, three more endpoints, and the speed holds. */
  static final List<Goal> PIPELINE_GOALS = List.of(
      new Goal("1 the pipeline does not cost the fast path", "presign / no-op req/s after ≥ 0.95 × the same ratio"
          + " before (wrk, saturation, same run, same generator)", BenchReport::fastPath),
      new Goal("2 the operation costs what the handler cost", "JMH `HandlerBenchmark` (cache on: token check + the"
          + " presign as the pipeline calls it, `PresignPut.answer(call)`, vs fee8574's `PresignHandler` steps) after"
          + " ≤ 1.05 × before (a faster after passes); same JMH arguments, rounds interleaved",
          BenchReport::operationCost),
      new Goal("3 download vs no-op", "`POST /api/s3/download` ≥ 0.60 × the no-op's req/s (wrk, saturation, same"
          + " server, same run)", r -> r.operationVsNoop("download")),
      new Goal("3 sign (UploadPart) vs no-op", "`POST /api/s3/sign` (UploadPart) ≥ 0.60 × the no-op's req/s (wrk,"
          + " saturation, same server, same run)", r -> r.operationVsNoop("sign")),
      new Goal("4 a batch costs its files", "per file, one `PresignBatch.answer` of 100 files ≤ 1.2 × 100"
          + " `PresignPut.answer` on the same files (JMH `BatchBenchmark`, rounds interleaved)", BenchReport::batchCost));

  /** Issue 6: the speed work. */
  static final List<Goal> SPEED_GOALS = List.of(
      new Goal("1 signing step", "≤ 5 µs and ≤ 1 KB allocated per URL (JMH `SigningBenchmark.urlSignerPresignPut`)",
          BenchReport::signingStep),
      new Goal("2 cold verification by JDK", "measure RS256 and ES256 on JDK 17 and a newer JDK; the Docker image's"
          + " runtime chosen by it", BenchReport::coldVerification),
      new Goal("3 repeated tokens", "a cache hit saves ≥ 90 % of one RS256 verification (JMH `HandlerBenchmark` cache"
          + " on vs off, `JwtBenchmark` RS256)", BenchReport::repeatedTokens),
      new Goal("4 throughput vs no-op", "presign ≥ 0.60 × the no-op's req/s, same server, same run, same generator"
          + " (wrk)", BenchReport::throughputVsNoop),
      new Goal("4 latency at half load", "p99 ≤ 10 ms at half of the presign saturation", BenchReport::latencyAtHalf),
      new Goal("4 no errors under load", "zero non-2xx answers under load (current gateway: warm-up, saturation, fixed"
          + " rate, soak)", BenchReport::noErrors),
      new Goal("5 batch grows linearly", "per-URL cost at N = 100 and 10 000 ≤ 1.5 × at N = 1 (JMH"
          + " `SigningBenchmark.presignBatch`)", BenchReport::batchLinear),
      new Goal("5 memory flat", "RSS flat over a 10-minute load: growth over the second half ≤ 10 %",
          BenchReport::memoryFlat));

  /** The table of a list of goals, a row each. */
  private void goalTable(List<Goal> goals) {
    md.append("| goal | target | measured | verdict |\n|---|---|---|---|\n");
    for (Goal g : goals) {
      Outcome o = g.measure.apply(this);
      md.append("| ").append(g.name).append(" | ").append(g.target).append(" | ").append(o.measured).append(" | ")
          .append(o.verdict).append(" |\n");
    }
  }

  private void pipelineGoals() {
    md.append("## Goals (issue 11: one pipeline, more endpoints, speed holds)\n\n")
        .append("Before = `").append(PIPELINE_BASELINE).append("`, the single presign handler; after = the pipeline")
        .append(" (`Pipeline` + one `Operation` per endpoint). Every ratio is of figures from this one run.\n\n");
    goalTable(PIPELINE_GOALS);
    md.append("\nThe answers of download and sign are checked by the Gatling simulations (`OperationsSimulation`, and a")
        .append(" share in `MixedTrafficSimulation`, which `load-tests/smoke.sh` runs in CI); wrk counts any answer")
        .append(" ≥ 400 as an error, and a run with one is left out.\n\n");
  }

  private void speedGoals(boolean baseline) {
    md.append("## Goals (issue 6: the speed work)\n\n");
    if (baseline) {
      md.append("\"Before\" below is this run's baseline `").append(meta.getProperty("baseline_rev"))
          .append("`; issue 6's own before was `bac23dc` (`BASELINE_REV=bac23dc load-tests/bench.sh`).\n\n");
    }
    goalTable(SPEED_GOALS);
    md.append("\nGoal 6 (no request-path work that could happen once) is a property of the code, not a figure;")
        .append(" URL identity with the AWS SDK (goal 1) and the cache's expiry and key-set rules (goal 3) are proven")
        .append(" by tests in `mvn verify`, not here.\n\n");
  }

  private boolean baseline() {
    return !meta.getProperty("baseline_rev", "").isBlank();
  }

  /** Whether this run's baseline is issue 11's before; else the reason its goals 1 and 2 are not measured. */
  private String pipelineBaselineMissing() {
    String rev = meta.getProperty("baseline_rev", "");
    if (baseline() && rev.startsWith(PIPELINE_BASELINE)) {
      return null;
    }
    return NOT + " (the goal's before is " + PIPELINE_BASELINE + "; this run's baseline: "
        + (baseline() ? rev : "none") + ")";
  }

  private Outcome fastPath() {
    String missing = pipelineBaselineMissing();
    double after = ratio("cur");
    double beforeRatio = ratio("base");
    if (missing != null) {
      return Outcome.notMeasured(missing);
    }
    if (Double.isNaN(after / beforeRatio)) {
      return Outcome.notMeasured();
    }
    List<String> perRound = new ArrayList<>();
    for (int r = 1; r <= repeats; r++) {
      perRound.add(fmt(roundRatio("cur", "presign", "noop", r) / roundRatio("base", "presign", "noop", r), 2));
    }
    return Outcome.of("after **" + fmt(after, 3) + "** (" + fmt(median(sat.get("cur-presign"), "rps"), 0) + " / "
            + fmt(median(sat.get("cur-noop"), "rps"), 0) + "), before " + fmt(beforeRatio, 3) + " ("
            + fmt(median(sat.get("base-presign"), "rps"), 0) + " / " + fmt(median(sat.get("base-noop"), "rps"), 0)
            + "), medians: after / before = **" + fmt(after / beforeRatio, 3) + "×** (per round, same-round runs: ["
            + String.join(", ", perRound) + "])",
        after >= 0.95 * beforeRatio);
  }

  private Outcome operationCost() {
    String missing = pipelineBaselineMissing();
    double hb = medianScore("handler-before");
    double ha = medianScore("handler-after");
    if (missing != null) {
      return Outcome.notMeasured(missing);
    }
    if (Double.isNaN(ha / hb)) {
      return Outcome.notMeasured();
    }
    return Outcome.of("after **" + fmt(ha, 2) + " µs**, before " + fmt(hb, 2) + " µs (medians of "
            + plural(count("handler-after"), "round") + "): after / before = **" + fmt(ha / hb, 3) + "×** (per round: "
            + roundRatios("handler-before", "handler-after") + "); " + fmt(medianAlloc("handler-after"), 0) + " vs "
            + fmt(medianAlloc("handler-before"), 0) + " B/op",
        ha <= 1.05 * hb);
  }

  private Outcome operationVsNoop(String op) {
    double opRps = median(sat.get("cur-" + op), "rps");
    double noop = median(sat.get("cur-noop"), "rps");
    List<Map<String, Double>> runs = sat.get("cur-" + op);
    if (Double.isNaN(opRps / noop)) {
      return Outcome.notMeasured(runs.isEmpty() ? NOT : "no valid run: " + fmt(errors(runs), 0) + " answers ≥ 400 or"
          + " failed requests in " + plural(runs.size(), "run") + " (`sat-cur-" + op + "-*.txt`)");
    }
    List<String> perRound = new ArrayList<>();
    for (int r = 1; r <= repeats; r++) {
      perRound.add(fmt(roundRatio("cur", op, "noop", r), 2));
    }
    return Outcome.of("**" + fmt(opRps / noop, 2) + "** (" + fmt(opRps, 0) + " / " + fmt(noop, 0)
        + " req/s, medians; per round: [" + String.join(", ", perRound) + "])", opRps >= 0.6 * noop);
  }

  private Outcome batchCost() {
    double batch = medianScore("batch");
    double singles = medianScore("singles");
    if (Double.isNaN(batch / singles)) {
      return Outcome.notMeasured();
    }
    double files = filesOf(rounds.get("batch"));
    return Outcome.of("batch " + fmt(batch / files, 2) + " µs per file, singles " + fmt(singles / files, 2)
            + " µs per file (medians of " + plural(count("batch"), "round") + "): **" + fmt(batch / singles, 2)
            + "×** (per round: " + roundRatios("singles", "batch") + "); " + fmt(medianAlloc("batch") / files, 0)
            + " vs " + fmt(medianAlloc("singles") / files, 0) + " B per file",
        batch <= 1.2 * singles);
  }

  private Outcome signingStep() {
    Jmh signer = jmh.get("SigningBenchmark.urlSignerPresignPut");
    Jmh sdk = jmh.get("SigningBenchmark.sdkPresignPut");
    if (signer == null) {
      return Outcome.notMeasured();
    }
    return Outcome.of(fmt(signer.score, 2) + pm(signer.error) + " µs, " + fmt(signer.alloc, 0) + " B/op"
            + (sdk == null ? "" : " (AWS SDK presigner: " + fmt(sdk.score, 1) + " µs, " + fmt(sdk.alloc, 0) + " B/op)"),
        signer.score <= 5 && signer.alloc <= 1024);
  }

  private Outcome coldVerification() {
    List<String> parts = new ArrayList<>();
    boolean both = true;
    for (String alg : List.of("RS256", "ES256")) {
      Jmh a = jmh.get("JwtBenchmark.authenticate " + alg);
      Jmh b = jmhCompare.get("JwtBenchmark.authenticate " + alg);
      if (a == null || b == null) {
        both = false;
        parts.add(alg + ": " + (a == null ? NOT : fmt(a.score, 1) + " µs") + " on JDK 17, "
            + (b == null ? NOT : fmt(b.score, 1) + " µs") + " on the newer JDK");
      } else {
        parts.add(alg + " " + fmt(a.score, 1) + " µs on JDK 17, " + fmt(b.score, 1) + " µs on " + jdkName() + " ("
            + speed(a.score, b.score) + ")");
      }
    }
    return new Outcome(String.join("; ", parts) + ". " + dockerRuntime(),
        both ? "measured (the choice is the Dockerfile's)" : NOT);
  }

  private Outcome repeatedTokens() {
    Jmh on = handlerOn();
    Jmh off = jmh.get("HandlerBenchmark.handle RS256, off");
    Jmh rs = jmh.get("JwtBenchmark.authenticate RS256");
    if (on == null || off == null || rs == null) {
      return Outcome.notMeasured();
    }
    double saved = off.score - on.score;
    return Outcome.of("whole handler " + fmt(on.score, 1) + " µs with a known token vs " + fmt(off.score, 1)
            + " µs verifying it: " + fmt(saved, 1) + " µs saved = " + fmt(100 * saved / rs.score, 0)
            + " % of one RS256 verification (" + fmt(rs.score, 1) + " µs)",
        saved >= 0.9 * rs.score);
  }

  private Outcome throughputVsNoop() {
    double presign = median(sat.get("cur-presign"), "rps");
    double noop = median(sat.get("cur-noop"), "rps");
    if (Double.isNaN(presign / noop)) {
      return Outcome.notMeasured();
    }
    String before = "";
    if (baseline()) {
      double bp = median(sat.get("base-presign"), "rps");
      double bn = median(sat.get("base-noop"), "rps");
      before = "; before: " + fmt(bp / bn, 2) + " (" + fmt(bp, 0) + " / " + fmt(bn, 0) + ", no-op on the "
          + meta.getProperty("noop_base", "?") + " port)";
    }
    return Outcome.of("**" + fmt(presign / noop, 2) + "** (" + fmt(presign, 0) + " / " + fmt(noop, 0)
        + " req/s, medians; no-op on the " + meta.getProperty("noop_cur", "?") + " port)" + before, presign / noop >= 0.6);
  }

  private Outcome latencyAtHalf() {
    List<Map<String, Double>> lp = lat.get("cur-presign");
    if (lp.isEmpty()) {
      return Outcome.notMeasured();
    }
    double presign = median(sat.get("cur-presign"), "rps");
    double fraction = Double.parseDouble(meta.getProperty("LAT_FRACTION", "0"));
    boolean half = meta.getProperty("LAT_RATE", "").isBlank() && Math.abs(fraction - 0.5) < 1e-9;
    double p99 = median(lp, "p99_us") / 1000;
    double achieved = median(lp, "achieved_rps");
    double rate = Double.parseDouble(meta.getProperty("lat_rate"));
    String m = "p99 **" + ms(p99) + "** " + runs(lp, "p99_us", 1e-3, 2) + " at " + fmt(rate, 0) + " req/s = "
        + meta.getProperty("LAT_FRACTION") + " × " + fmt(presign, 0) + " (OpenLoad, open model, " + meta.getProperty(
        "LAT_SECONDS") + " s per run, medians)";
    if (achieved < 0.99 * rate) {
      m += "; achieved only " + fmt(achieved, 0) + " req/s";
    }
    List<Map<String, Double>> own = lat.get("base-presign-own");
    if (baseline() && !own.isEmpty()) {
      m += "; before: p99 " + ms(median(own, "p99_us") / 1000) + " at " + meta.getProperty("lat_rate_base_own")
          + " req/s, half of its own saturation" + (behind(own) ? " (did not keep up)" : "");
    }
    if (baseline() && !lat.get("base-presign").isEmpty()) {
      List<Map<String, Double>> same = lat.get("base-presign");
      boolean behind = behind(same);
      m += "; before at " + fmt(rate, 0) + " req/s: " + (behind ? "did not keep up (" + fmt(median(same, "achieved_rps"), 0)
          + " answers/s, " + fmt(sum(same, "timeouts") + sum(same, "unsent"), 0) + " failed, median latency "
          + ms(median(same, "p50_us") / 1000) + ")" : "p99 " + ms(median(same, "p99_us") / 1000));
    }
    if (!half) {
      return Outcome.notMeasured(m).withVerdict(NOT + " at half (LAT_FRACTION=" + meta.getProperty("LAT_FRACTION")
          + ", LAT_RATE=" + meta.getProperty("LAT_RATE", "") + ")");
    }
    return Outcome.of(m, p99 <= 10 && !behind(lp));
  }

  private Outcome noErrors() {
    long[] bad = failures;
    String m = fmt(bad[0], 0) + " non-2xx and " + fmt(bad[1], 0) + " failed requests (connection errors, timeouts,"
        + " not sent) out of " + fmt(bad[2], 0) + " requests";
    return bad[2] == 0 ? Outcome.notMeasured(m) : Outcome.of(m, bad[0] == 0 && bad[1] == 0);
  }

  private Outcome batchLinear() {
    Jmh n1 = jmh.get("SigningBenchmark.presignBatch 1");
    Jmh n100 = jmh.get("SigningBenchmark.presignBatch 100");
    Jmh n10k = jmh.get("SigningBenchmark.presignBatch 10000");
    if (n1 == null || n100 == null || n10k == null) {
      return Outcome.notMeasured();
    }
    double u1 = n1.score;
    double u100 = n100.score / 100;
    double u10k = n10k.score / 10000;
    return Outcome.of("per URL: " + fmt(u1, 2) + " µs (N = 1), " + fmt(u100, 2) + " µs (N = 100, " + times(u1, u100)
            + "), " + fmt(u10k, 2) + " µs (N = 10 000, " + times(u1, u10k) + "); " + fmt(n1.alloc, 0) + " / "
            + fmt(n100.alloc / 100, 0) + " / " + fmt(n10k.alloc / 10000, 0) + " B per URL",
        u100 <= 1.5 * u1 && u10k <= 1.5 * u1);
  }

  private Outcome memoryFlat() {
    List<Map<String, Double>> samples = soakSamples;
    if (samples.size() < 3) {
      return Outcome.notMeasured();
    }
    double first = samples.get(0).get("rss_kb") / 1024;
    double mid = samples.get(samples.size() / 2).get("rss_kb") / 1024;
    double last = samples.get(samples.size() - 1).get("rss_kb") / 1024;
    double max = samples.stream().mapToDouble(s -> s.get("rss_kb") / 1024).max().orElse(Double.NaN);
    double seconds = samples.get(samples.size() - 1).get("t_s");
    String m = "RSS " + fmt(first, 0) + " MiB at the start, " + fmt(mid, 0) + " at " + fmt(samples.get(samples.size()
        / 2).get("t_s"), 0) + " s, " + fmt(last, 0) + " at " + fmt(seconds, 0) + " s (max " + fmt(max, 0)
        + "), presigns at " + meta.getProperty("soak_rate") + " req/s; second half " + pct(last / mid - 1);
    if (seconds < 600) {
      return Outcome.notMeasured(m).withVerdict(NOT + " over 10 minutes (SOAK_SECONDS=" + meta.getProperty(
          "SOAK_SECONDS") + "); over this run: " + (last <= 1.1 * mid ? "flat" : "grew"));
    }
    return Outcome.of(m, last <= 1.1 * mid);
  }

  private void machine(boolean baseline) {
    md.append("## Machine and setup\n\n| | |\n|---|---|\n")
        .append("| CPU | ").append(meta.getProperty("cpu")).append(", `nproc` = ").append(meta.getProperty("nproc")).append(" |\n")
        .append("| Memory | ").append(meta.getProperty("memory")).append(" |\n")
        .append("| Kernel | ").append(meta.getProperty("kernel")).append(" |\n")
        .append("| JVM | ").append(meta.getProperty("java"));
    if (meta.getProperty("java_compare") != null) {
      md.append("; JMH `JwtBenchmark` also on ").append(meta.getProperty("java_compare"));
    }
    md.append(" |\n")
        .append("| Gateways | local stack each (`java -jar target/presign-gateway.jar local`: dev mode, S3Proxy), on")
        .append(" its own ports: after = `").append(meta.getProperty("revision")).append("`");
    if (baseline) {
      md.append(", before = `").append(meta.getProperty("baseline_rev")).append("` (a `git worktree` in")
          .append(" `load-tests/target/`)");
    }
    md.append("; API verticles: ").append(meta.getProperty("http_instances"))
        .append(", default JVM flags, log (an audit line per request) to a file")
        .append(meta.getProperty("gateway_env", "").isBlank() ? "" : ", extra environment `" + meta.getProperty("gateway_env") + "`")
        .append(". Each warmed up before any measurement: presigns until two ").append(meta.getProperty(
            "WARMUP_STEP_SECONDS", "10")).append(" s runs in a row agreed within 10 % (at least ")
        .append(meta.getProperty("WARMUP_SECONDS")).append(" s, at most ").append(meta.getProperty("WARMUP_MAX_SECONDS", "?"))
        .append(" s; took ").append(meta.getProperty("warmup_seconds_cur", "?")).append(" s after")
        .append(baseline ? ", " + meta.getProperty("warmup_seconds_base", "?") + " s before" : "")
        .append("), then 5 s of no-ops |\n")
        .append("| No-op | `GET /health/live`: after on the ").append(meta.getProperty("noop_cur", "?")).append(" port");
    if (baseline) {
      md.append(", before on the ").append(meta.getProperty("noop_base", "?")).append(" port");
    }
    md.append(" (the API port's is the same server and router as presign; a version without it is measured on its")
        .append(" management port) |\n")
        .append("| Callers | ").append(meta.getProperty("USERS")).append(" subjects, one RS256 token each from each")
        .append(" stack's dev issuer, reused for every request as a client does until its token expires |\n")
        .append("| Load generators | ").append(meta.getProperty("wrk")).append(" with `load-tests/bench/wrk.lua` (a")
        .append(" pool of 4,096 prebuilt requests: the same work per request for every endpoint; download: keys of")
        .append(" the caller's own with a download name; sign: UploadPart on keys of the caller's own) for saturation;")
        .append(" `load-tests/openload` (OpenLoad, open model) for latency at a fixed rate and the soak; Gatling")
        .append(" (`FixedRateSimulation`) for its own section |\n\n");
  }

  private void saturation(boolean baseline) {
    md.append("## Saturation throughput, before and after\n\n")
        .append("wrk, closed loop: ").append(meta.getProperty("WRK_CONNECTIONS")).append(" keep-alive connections, ")
        .append(meta.getProperty("WRK_THREADS")).append(" thread(s), ").append(meta.getProperty("SAT_SECONDS"))
        .append(" s per run, ").append(plural(repeats, "run")).append(" of each, alternating ")
        .append(String.join(", ", measured(baseline))).append(". Median of the runs; the runs themselves in")
        .append(" brackets (a run with any error is left out of the median). Latency at saturation is queueing,")
        .append(" shown for context only.\n\n")
        .append("| gateway | endpoint | req/s (median) | runs | non-2xx + errors | p50 / p99 at saturation |\n")
        .append("|---|---|---:|---|---:|---|\n");
    for (String s : baseline ? STACKS : new String[] {"cur"}) {
      for (String e : ENDPOINTS) {
        List<Map<String, Double>> runs = sat.get(s + "-" + e);
        if (runs.isEmpty() && !e.equals("presign") && !e.equals("noop")) {
          continue; // an operation this gateway does not have
        }
        md.append("| ").append(stackLabel(s)).append(" | ").append(endpointLabel(s, e)).append(" | **")
            .append(fmt(median(runs, "rps"), 0)).append("** | ").append(runs(runs, "rps", 1, 0)).append(" | ")
            .append(fmt(errors(runs), 0)).append(" | ")
            .append(ms(median(runs, "p50_us") / 1000)).append(" / ").append(ms(median(runs, "p99_us") / 1000))
            .append(" |\n");
      }
    }
    md.append("\n| | before | after |\n|---|---:|---:|\n");
    md.append("| **presign / no-op** (goal ≥ 0.60) | ").append(baseline ? fmt(ratio("base"), 3) : "").append(" | **")
        .append(fmt(ratio("cur"), 3)).append("** |\n");
    if (baseline) {
      md.append("| presign / no-op, after ÷ before (issue 11 goal ≥ 0.95) | | **")
          .append(fmt(ratio("cur") / ratio("base"), 3)).append("** |\n");
    }
    for (String op : List.of("download", "sign")) {
      if (!sat.get("cur-" + op).isEmpty()) {
        md.append("| **").append(op.equals("download") ? "download" : "sign (UploadPart)").append(" / no-op** (goal ≥")
            .append(" 0.60) | ").append(baseline && !sat.get("base-" + op).isEmpty() ? fmt(ratio("base", op), 3) : "")
            .append(" | **").append(fmt(ratio("cur", op), 3)).append("** |\n");
      }
    }
    if (baseline) {
      md.append("| presign req/s, after / before | | **").append(
          times(median(sat.get("base-presign"), "rps"), median(sat.get("cur-presign"), "rps"))).append("** |\n");
    }
    md.append('\n');
  }

  /**
   * A fixed-rate run the gateway did not keep up with: fewer answers per second than were due, requests without an
   * answer within the timeout, or a median latency over a second (requests queued behind each other).
   */
  private static boolean behind(List<Map<String, Double>> runs) {
    return median(runs, "achieved_rps") < 0.99 * median(runs, "rate") || sum(runs, "timeouts") + sum(runs, "unsent") > 0
        || !(median(runs, "p50_us") < 1_000_000);
  }

  private double ratio(String s) {
    return ratio(s, "presign");
  }

  private double ratio(String s, String endpoint) {
    return median(sat.get(s + "-" + endpoint), "rps") / median(sat.get(s + "-noop"), "rps");
  }

  /** {@code endpoint} req/s over {@code other}'s in round {@code r} of one stack (NaN when a run is missing or invalid). */
  private double roundRatio(String s, String endpoint, String other, int r) {
    Map<String, Double> a = satRound.get(s + "-" + endpoint + "-" + r);
    Map<String, Double> b = satRound.get(s + "-" + other + "-" + r);
    if (a == null || b == null || !valid(a) || !valid(b)) {
      return Double.NaN;
    }
    return a.get("rps") / b.get("rps");
  }

  /** The saturation runs of this report, in the order they alternated. */
  private List<String> measured(boolean baseline) {
    List<String> out = new ArrayList<>();
    for (String s : baseline ? new String[] {"cur", "base"} : new String[] {"cur"}) {
      for (String e : ENDPOINTS) {
        if (!sat.get(s + "-" + e).isEmpty() || e.equals("presign") || e.equals("noop")) {
          out.add((s.equals("cur") ? "after " : "before ") + (e.equals("noop") ? "no-op" : e));
        }
      }
    }
    return out;
  }

  // ---- the interleaved JMH rounds -----------------------------------------------------------------------------

  /** The median score of a round run over the rounds that have it. */
  private double medianScore(String run) {
    return medianOf(rounds.get(run).stream().filter(j -> j != null).mapToDouble(Jmh::score).toArray());
  }

  private double medianAlloc(String run) {
    return medianOf(rounds.get(run).stream().filter(j -> j != null).mapToDouble(Jmh::alloc).toArray());
  }

  private int count(String run) {
    return (int) rounds.get(run).stream().filter(j -> j != null).count();
  }

  /** "[0.98, 1.01, 0.99]": b / a in each round that has both. */
  private String roundRatios(String a, String b) {
    List<String> out = new ArrayList<>();
    List<Jmh> as = rounds.get(a);
    List<Jmh> bs = rounds.get(b);
    for (int r = 0; r < as.size(); r++) {
      out.add(as.get(r) == null || bs.get(r) == null ? "n/a" : fmt(bs.get(r).score / as.get(r).score, 2));
    }
    return "[" + String.join(", ", out) + "]";
  }

  /** The files per batch of BatchBenchmark (its {@code files} parameter; 100 when not said). */
  private static double filesOf(List<Jmh> runs) {
    return runs.stream().filter(j -> j != null && !j.param.isBlank()).findFirst()
        .map(j -> Double.parseDouble(j.param.replaceAll("[^0-9.]", ""))).orElse(100.0);
  }

  /** HandlerBenchmark with the cache on: from the main run, else the median of the after rounds. */
  private Jmh handlerOn() {
    Jmh on = jmh.get("HandlerBenchmark.handle RS256, on");
    if (on != null || count("handler-after") == 0) {
      return on;
    }
    Jmh first = rounds.get("handler-after").stream().filter(j -> j != null).findFirst().orElseThrow();
    return new Jmh(first.name, first.param, medianScore("handler-after"), Double.NaN, first.unit,
        medianAlloc("handler-after"));
  }

  private static double medianOf(double[] values) {
    double[] v = java.util.Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private void latency(boolean baseline) {
    if (lat.get("cur-presign").isEmpty()) {
      md.append("## Latency at a fixed rate\n\n").append(NOT).append(".\n\n");
      return;
    }
    double rate = Double.parseDouble(meta.getProperty("lat_rate"));
    md.append("## Latency at a fixed rate, before and after\n\n")
        .append("OpenLoad, open model: request k is due at start + k / rate whatever the answers do, and its latency is")
        .append(" counted from that intended time, so a stall is charged to every request due during it (no")
        .append(" coordinated omission); keep-alive connections, one request in flight each, more opened when all")
        .append(" are busy (at most ").append(meta.getProperty("LAT_MAX_CONNECTIONS")).append(", then requests wait")
        .append(" for one). ").append(tick(meta)).append("The four runs of each round at the same **").append(fmt(rate, 0)).append(" req/s** = ")
        .append(meta.getProperty("LAT_FRACTION")).append(" × the after presign saturation median");
    if (!meta.getProperty("LAT_RATE", "").isBlank()) {
      md.append(" (set by LAT_RATE)");
    }
    if (!lat.get("base-presign-own").isEmpty()) {
      md.append("; the before presign also at ").append(meta.getProperty("lat_rate_base_own")).append(" req/s = ")
          .append(meta.getProperty("LAT_FRACTION")).append(" × its own saturation");
    }
    md.append(". ").append(meta.getProperty("LAT_WARMUP_SECONDS")).append(" s unmeasured then ")
        .append(meta.getProperty("LAT_SECONDS")).append(" s measured per run, ").append(plural(repeats, "run"))
        .append(" of each, alternating; medians of the runs, microsecond resolution. *Failed*: no answer within")
        .append(" 10 s of the intended time, or never sent. *Late*: sent more than 1 ms after the intended time")
        .append(" (the generator short of CPU, or all connections busy: *waited*); the delay is part of the")
        .append(" latency.\n\n")
        .append("| gateway | endpoint | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | answered req/s | non-2xx |")
        .append(" failed | late / waited | generator send lag p50 / p99 | generator CPU per request |\n")
        .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    List<String> keys = new ArrayList<>();
    for (String s : baseline ? STACKS : new String[] {"cur"}) {
      keys.add(s + "-presign");
      keys.add(s + "-noop");
      if (s.equals("base")) {
        keys.add("base-presign-own");
      }
    }
    List<String> overloaded = new ArrayList<>();
    for (String k : keys) {
      List<Map<String, Double>> runs = lat.get(k);
      if (runs.isEmpty()) {
        continue;
      }
      String s = k.substring(0, k.indexOf('-'));
      String e = k.contains("noop") ? "noop" : "presign";
      double at = median(runs, "rate");
      boolean behind = behind(runs);
      if (behind) {
        overloaded.add(stackLabel(s) + " " + endpointLabel(s, e) + " at " + fmt(at, 0) + " req/s");
      }
      md.append("| ").append(stackLabel(s)).append(" | ").append(endpointLabel(s, e)).append(" | ").append(fmt(at, 0))
          .append(behind ? " (did not keep up)" : "").append(" | ")
          .append(ms3(median(runs, "p50_us"))).append(" | ").append(ms3(median(runs, "p90_us"))).append(" | ")
          .append(bold(ms3(median(runs, "p99_us")))).append(' ').append(runs(runs, "p99_us", 1e-3, 2)).append(" | ")
          .append(ms3(median(runs, "p999_us"))).append(" | ").append(ms3(median(runs, "max_us"))).append(" | ")
          .append(fmt(median(runs, "achieved_rps"), 0)).append(" | ").append(fmt(sum(runs, "non2xx"), 0))
          .append(" | ").append(fmt(sum(runs, "errors") + sum(runs, "timeouts") + sum(runs, "unsent"), 0))
          .append(" | ").append(fmt(sum(runs, "late"), 0)).append(" / ").append(fmt(sum(runs, "waited"), 0))
          .append(" | ").append(fmt(median(runs, "send_lag_p50_us"), 0)).append(" / ")
          .append(fmt(median(runs, "send_lag_p99_us"), 0)).append(" µs | ")
          .append(fmt(median(runs, "cpu_us_per_req"), 0)).append(" µs |\n");
    }
    md.append("\nThe generator's send lag is how late OpenLoad itself sent (a sleeping thread wakes late on this virtual")
        .append(" machine, more so when the CPUs are busy): it is part of the latencies above, so the gateway's own share")
        .append(" is smaller. Presign / no-op at the same rate, after: p50 ")
        .append(times(median(lat.get("cur-noop"), "p50_us"), median(lat.get("cur-presign"), "p50_us"))).append(", p99 ")
        .append(times(median(lat.get("cur-noop"), "p99_us"), median(lat.get("cur-presign"), "p99_us")));
    if (baseline && !lat.get("base-presign").isEmpty() && !behind(lat.get("base-presign"))) {
      md.append("; before: p50 ")
          .append(times(median(lat.get("base-noop"), "p50_us"), median(lat.get("base-presign"), "p50_us")))
          .append(", p99 ").append(times(median(lat.get("base-noop"), "p99_us"), median(lat.get("base-presign"), "p99_us")));
    }
    md.append('.');
    if (!overloaded.isEmpty()) {
      md.append(" **Did not keep up** (answered fewer requests per second than were due, some got no answer within")
          .append(" 10 s, or half of them waited over a second): ").append(String.join("; ", overloaded)).append(". Their percentiles are of the answers")
          .append(" that came (none: —), and queueing dominates them: the rate was beyond what that gateway sustained")
          .append(" here.");
    }
    md.append("\n\n");
  }

  // ---- Gatling beside OpenLoad ----------------------------------------------------------------------------------

  /** FixedRateSimulation's assertion lines: "measured: 99th percentile of response time … : true (actual : 7.0)". */
  private static final Pattern GATLING_LINE = Pattern.compile(
      "(measured|Global): (.+?) (?:is (?:greater|less|between|equal|in)\\b.*?)? ?: (?:true|false) \\(actual : (-?[0-9.]+)\\)");

  /**
   * The measured phase of one FixedRateSimulation run from its console output: {@code count}, {@code failed},
   * {@code p50_ms}, {@code p95_ms}, {@code p99_ms}, {@code p999_ms}, {@code max_ms}, and {@code failed_all} (warm-up
   * included); null when the file is missing or holds no measured count (the run did not get that far).
   */
  static Map<String, Double> gatling(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      Matcher m = GATLING_LINE.matcher(line.strip());
      if (!m.matches()) {
        continue;
      }
      String what = m.group(2);
      double v = Double.parseDouble(m.group(3));
      String key = m.group(1).equals("Global") ? (what.startsWith("count of failed") ? "failed_all" : null)
          : what.startsWith("count of all") ? "count"
          : what.startsWith("count of failed") ? "failed"
          : what.startsWith("50th percentile") ? "p50_ms"
          : what.startsWith("95th percentile") ? "p95_ms"
          : what.startsWith("99th percentile") ? "p99_ms"
          : what.startsWith("99.9th percentile") ? "p999_ms"
          : what.startsWith("max of response time") ? "max_ms" : null;
      if (key != null) {
        out.put(key, v);
      }
    }
    return out.containsKey("count") ? out : null;
  }

  /**
   * Why Gatling did not keep up with {@code rate} for {@code seconds} (measured phase), or null when it did: every
   * request due answered, none failed, and its p99 within {@code p99Ms}. Far below the gateway's saturation, a run
   * that misses this has measured the generator's backlog, not the gateway.
   */
  static String gatlingShortfall(Map<String, Double> g, double rate, double seconds, double p99Ms) {
    if (g == null) {
      return "no result (the run did not finish)";
    }
    long due = Math.round(rate * seconds);
    List<String> why = new ArrayList<>();
    if (g.get("count") < 0.99 * due) {
      why.add(fmt(g.get("count"), 0) + " of " + fmt(due, 0) + " requests sent");
    }
    if (g.getOrDefault("failed", 0.0) > 0) {
      why.add(fmt(g.get("failed"), 0) + " failed");
    }
    if (!(g.getOrDefault("p99_ms", Double.NaN) <= p99Ms)) {
      why.add("p99 " + fmt(g.getOrDefault("p99_ms", Double.NaN), 0) + " ms > " + fmt(p99Ms, 0) + " ms");
    }
    return why.isEmpty() ? null : String.join(", ", why);
  }

  private void gatlingSection() throws IOException {
    md.append("## Gatling: the signing path at a fixed rate\n\n");
    String rateText = meta.getProperty("gatling_rate", "");
    Map<String, Double> g = gatling(dir.resolve("gatling.txt"));
    if (rateText.isBlank() || g == null) {
      md.append(NOT).append(" (GATLING_SECONDS=").append(meta.getProperty("GATLING_SECONDS", "0"))
          .append(rateText.isBlank() ? "" : "; Gatling printed no result: see `gatling.txt`").append(").\n\n");
      return;
    }
    double rate = Double.parseDouble(rateText);
    double seconds = Double.parseDouble(meta.getProperty("GATLING_SECONDS"));
    double p99Limit = Double.parseDouble(meta.getProperty("GATLING_P99_MS", "50"));
    Map<String, Double> o = result(dir.resolve("lat-cur-gatling-rate.txt"));
    md.append("`POST /api/s3/presign` on the after gateway at **").append(fmt(rate, 0)).append(" req/s**, ")
        .append(fmt(seconds, 0)).append(" s measured after ").append(meta.getProperty("GATLING_WARMUP_SECONDS", "?"))
        .append(" s unmeasured at the same rate, first by Gatling ").append(meta.getProperty("gatling_version", ""))
        .append(" (`FixedRateSimulation`: open model, one virtual user per arrival, keep-alive connections shared,")
        .append(" at most 256; the same tokens), then by OpenLoad at the same rate for as long. Gatling's own")
        .append(" figures, from its assertion lines for the measured phase; its HTML report: `")
        .append(meta.getProperty("gatling_report", "?")).append("`.\n\n")
        .append("| generator | req/s | requests | errors | p50 ms | p95 ms | p99 ms | p99.9 ms | max ms |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
        .append("| Gatling | ").append(fmt(rate, 0)).append(" | ").append(fmt(g.get("count"), 0)).append(" | ")
        .append(fmt(g.getOrDefault("failed", Double.NaN), 0)).append(" | ")
        .append(fmt(g.getOrDefault("p50_ms", Double.NaN), 0)).append(" | ")
        .append(fmt(g.getOrDefault("p95_ms", Double.NaN), 0)).append(" | **")
        .append(fmt(g.getOrDefault("p99_ms", Double.NaN), 0)).append("** | ")
        .append(fmt(g.getOrDefault("p999_ms", Double.NaN), 0)).append(" | ")
        .append(fmt(g.getOrDefault("max_ms", Double.NaN), 0)).append(" |\n");
    if (o != null) {
      md.append("| OpenLoad | ").append(fmt(o.get("rate"), 0)).append(" | ").append(fmt(o.get("requests"), 0))
          .append(" | ").append(fmt(o.get("non2xx") + o.get("errors") + o.get("timeouts") + o.get("unsent"), 0))
          .append(" | ").append(ms3(o.get("p50_us"))).append(" | ").append(ms3(o.get("p95_us"))).append(" | **")
          .append(ms3(o.get("p99_us"))).append("** | ").append(ms3(o.get("p999_us"))).append(" | ")
          .append(ms3(o.get("max_us"))).append(" |\n");
    } else {
      md.append("| OpenLoad | ").append(fmt(rate, 0)).append(" | ").append(NOT).append(" | | | | | | |\n");
    }

    md.append("\n**What Gatling sustains here.** Before that run, Gatling alone at rising rates (")
        .append(meta.getProperty("GATLING_PROBE_SECONDS", "?")).append(" s measured each, after the same unmeasured")
        .append(" start), until one missed: a rate is sustained when every request due was sent and answered, none")
        .append(" failed, and Gatling's p99 stayed within ").append(fmt(p99Limit, 0)).append(" ms. The gateway is far")
        .append(" from its saturation at these rates (").append(fmt(median(sat.get("cur-presign"), "rps"), 0))
        .append(" req/s with wrk), so a miss is the generator's.\n\n")
        .append("| rate (req/s) | requests | failed | p50 ms | p99 ms | sustained |\n|---:|---:|---:|---:|---:|---|\n");
    double probeSeconds = Double.parseDouble(meta.getProperty("GATLING_PROBE_SECONDS", "0"));
    double sustained = Double.NaN;
    String miss = null;
    double missRate = Double.NaN;
    for (String r : meta.getProperty("gatling_probed", "").split(" ")) {
      if (r.isBlank()) {
        continue;
      }
      double at = Double.parseDouble(r);
      Map<String, Double> p = gatling(dir.resolve("gatling-probe-" + r + ".txt"));
      String shortfall = gatlingShortfall(p, at, probeSeconds, p99Limit);
      md.append("| ").append(fmt(at, 0)).append(" | ").append(p == null ? "—" : fmt(p.get("count"), 0)).append(" | ")
          .append(p == null ? "—" : fmt(p.getOrDefault("failed", Double.NaN), 0)).append(" | ")
          .append(p == null ? "—" : fmt(p.getOrDefault("p50_ms", Double.NaN), 0)).append(" | ")
          .append(p == null ? "—" : fmt(p.getOrDefault("p99_ms", Double.NaN), 0)).append(" | ")
          .append(shortfall == null ? "yes" : "**no**: " + shortfall).append(" |\n");
      if (shortfall == null && miss == null) {
        sustained = at;
      } else if (miss == null) {
        miss = shortfall;
        missRate = at;
      }
    }
    md.append("\n**Limit:** ");
    if (Double.isNaN(sustained)) {
      md.append("Gatling sustained none of the rates tried on this machine").append(Double.isNaN(missRate) ? ""
          : " (at " + fmt(missRate, 0) + " req/s: " + miss + ")").append("; the run above is at the lowest, and its")
          .append(" figures are Gatling's backlog as much as the gateway's latency.");
    } else {
      md.append("Gatling sustained **").append(fmt(sustained, 0)).append(" req/s** on this machine");
      md.append(Double.isNaN(missRate) ? ", the highest rate tried (it may sustain more)"
          : "; at " + fmt(missRate, 0) + " req/s it did not (" + miss + ")");
      md.append(". Beside the gateway on ").append(meta.getProperty("nproc")).append(" CPUs, that is its limit,")
          .append(" not the gateway's.");
    }
    md.append("\n\n");
    String shortfall = gatlingShortfall(g, rate, seconds, p99Limit);
    md.append("**Why the figures differ.** ");
    if (o != null && o.get("p99_us") > 0) {
      md.append("Gatling's p99 is ").append(times(o.get("p99_us") / 1000, g.getOrDefault("p99_ms", Double.NaN)))
          .append(" OpenLoad's here. ");
    }
    md.append("Gatling reports whole milliseconds, OpenLoad microseconds; Gatling spends far more CPU per request (a")
        .append(" virtual user, its session and checks, Netty and Scala on the JVM) on the same cores as the")
        .append(" gateway, and times a request from when it actually sent it, while OpenLoad (two threads, no")
        .append(" allocation per request) times it from when it was due, so a late send counts against it.");
    if (shortfall != null) {
      md.append(" In this run Gatling fell behind (").append(shortfall).append("): its figures include its own")
          .append(" backlog.");
    }
    md.append("\n\n");
  }

  private void soak() throws IOException {
    List<Map<String, Double>> samples = soakSamples;
    md.append("## Memory under a long load (soak)\n\n");
    if (samples.isEmpty()) {
      md.append(NOT).append(" (SOAK_SECONDS=").append(meta.getProperty("SOAK_SECONDS", "0")).append(").\n\n");
      return;
    }
    Map<Long, Map<String, Double>> windows = new LinkedHashMap<>();
    Map<String, Double> result = null;
    Path load = dir.resolve("soak-load.txt");
    if (Files.exists(load)) {
      for (String line : Files.readAllLines(load)) {
        if (line.startsWith("INTERVAL ")) {
          Map<String, Double> w = kv(line);
          windows.put(Math.round(w.getOrDefault("t_s", -1.0)), w);
        } else if (line.startsWith("RESULT ")) {
          result = kv(line);
        }
      }
    }
    md.append("The after gateway (the baseline stopped), presigns at **").append(meta.getProperty("soak_rate"))
        .append(" req/s** = ").append(meta.getProperty("SOAK_FRACTION")).append(" × its saturation for ")
        .append(meta.getProperty("SOAK_SECONDS", "0")).append(" s (OpenLoad), right after the runs above; every ")
        .append(meta.getProperty("SOAK_SAMPLE")).append(" s the gateway process's RSS (`VmRSS` in `/proc/<pid>/status`)")
        .append(" and its heap in use (`jvm_memory_used_bytes{area=\"heap\"}` summed, from `/metrics`), and the")
        .append(" answers of the window that ended then.\n\n")
        .append("| t (s) | RSS (MiB) | heap used (MiB) | 2xx in window | other / failed | p50 ms | p99 ms | max ms |\n")
        .append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Map<String, Double> s : samples) {
      Map<String, Double> w = windows.get(Math.round(s.get("t_s")));
      md.append("| ").append(fmt(s.get("t_s"), 0)).append(" | ").append(fmt(s.get("rss_kb") / 1024, 0)).append(" | ")
          .append(fmt(s.get("heap_bytes") / 1048576, 0)).append(" | ");
      if (w == null) {
        md.append(" | | | | |\n");
      } else {
        md.append(fmt(w.get("ok"), 0)).append(" | ").append(fmt(w.get("bad"), 0)).append(" | ")
            .append(ms3(w.get("p50_us"))).append(" | ").append(ms3(w.get("p99_us"))).append(" | ")
            .append(ms3(w.get("max_us"))).append(" |\n");
      }
    }
    double first = samples.get(0).get("rss_kb") / 1024;
    double last = samples.get(samples.size() - 1).get("rss_kb") / 1024;
    double max = samples.stream().mapToDouble(s -> s.get("rss_kb") / 1024).max().orElse(Double.NaN);
    double heapMin = samples.stream().mapToDouble(s -> s.get("heap_bytes") / 1048576).min().orElse(Double.NaN);
    double heapMax = samples.stream().mapToDouble(s -> s.get("heap_bytes") / 1048576).max().orElse(Double.NaN);
    md.append("\nRSS: first **").append(fmt(first, 0)).append(" MiB**, last **").append(fmt(last, 0))
        .append(" MiB**, max **").append(fmt(max, 0)).append(" MiB**; heap in use between ").append(fmt(heapMin, 0))
        .append(" and ").append(fmt(heapMax, 0)).append(" MiB (it rises and falls with each young collection).");
    if (result != null) {
      md.append(" Over the whole soak: ").append(fmt(result.get("requests"), 0)).append(" answers, **")
          .append(fmt(result.get("non2xx"), 0)).append(" non-2xx**, ")
          .append(fmt(result.get("errors") + result.get("timeouts") + result.get("unsent"), 0))
          .append(" failed; p50 ").append(ms3(result.get("p50_us"))).append(" ms, p99 ")
          .append(ms3(result.get("p99_us"))).append(" ms, p99.9 ").append(ms3(result.get("p999_us")))
          .append(" ms, max ").append(ms3(result.get("max_us"))).append(" ms.");
    } else {
      md.append(" OpenLoad printed no result: see `soak-load.txt`.");
    }
    md.append("\n\n");
  }

  private void jmhSection() {
    md.append("## JMH micro-benchmarks\n\n");
    if (jmh.isEmpty()) {
      md.append(NOT).append(" (SKIP_JMH, or load-tests/jmh did not build).\n\n");
      return;
    }
    md.append("`load-tests/jmh`, JMH 1.37, `").append(meta.getProperty("JMH_ARGS")).append(" -prof gc` on ")
        .append(meta.getProperty("java")).append(", one thread, average time per operation; allocation is")
        .append(" `gc.alloc.rate.norm`. The AWS SDK presigner needs 15–20 s of warm-up before its cost settles.\n\n")
        .append("| benchmark | what | score | ± error (99.9%) | units | allocated B/op |\n")
        .append("|---|---|---:|---:|---|---:|\n");
    for (Jmh j : jmh.values()) {
      md.append("| `").append(j.name).append('`').append(j.param.isEmpty() ? "" : " (" + j.param + ")").append(" | ")
          .append(describe(j.name, j.param)).append(" | **").append(fmt(j.score, 2)).append("** | ")
          .append(Double.isNaN(j.error) ? "" : fmt(j.error, 2)).append(" | ").append(j.unit).append(" | ")
          .append(Double.isNaN(j.alloc) ? "" : fmt(j.alloc, 0)).append(" |\n");
    }
    md.append('\n');

    roundsSection();
    Jmh on = handlerOn();
    if (on != null) {
      int cpus = Integer.parseInt(meta.getProperty("nproc"));
      md.append("`HandlerBenchmark.handle` is the whole presign minus HTTP: ").append(fmt(on.score, 1))
          .append(" µs with a token the verified-token cache holds, so at most ").append(fmt(1e6 / on.score, 0))
          .append(" presigns/s per fully busy core (").append(fmt(cpus * 1e6 / on.score, 0)).append(" on ")
          .append(cpus).append(" cores with nothing else running); the HTTP runs reached ")
          .append(fmt(median(sat.get("cur-presign"), "rps"), 0))
          .append(" req/s with wrk, the HTTP stack and the rest of the machine on the same cores.\n\n");
    }

    md.append("### Token verification: JDK 17 and ").append(jdkName()).append("\n\n");
    if (jmhCompare.isEmpty()) {
      md.append(NOT).append(" (no newer JDK at JDK_COMPARE_JAVA).\n\n");
    } else {
      md.append("`JwtBenchmark.authenticate` (vertx-auth-jwt, one token's signature and claims), same classpath and")
          .append(" JMH arguments, run once on each JDK.\n\n")
          .append("| algorithm | JDK 17 µs | JDK 17 B/op | ").append(jdkName()).append(" µs | ").append(jdkName())
          .append(" B/op | newer JDK vs 17 |\n|---|---:|---:|---:|---:|---:|\n");
      for (String alg : List.of("HS256", "RS256", "ES256")) {
        Jmh a = jmh.get("JwtBenchmark.authenticate " + alg);
        Jmh b = jmhCompare.get("JwtBenchmark.authenticate " + alg);
        md.append("| ").append(alg).append(" | ").append(a == null ? NOT : fmt(a.score, 2) + pm(a.error))
            .append(" | ").append(a == null ? "" : fmt(a.alloc, 0)).append(" | ")
            .append(b == null ? NOT : fmt(b.score, 2) + pm(b.error)).append(" | ")
            .append(b == null ? "" : fmt(b.alloc, 0)).append(" | **")
            .append(a == null || b == null ? "" : speed(a.score, b.score)).append("** |\n");
      }
      md.append('\n');
    }

    md.append("### Signing N URLs in one handler\n\n");
    List<Jmh> batch = jmh.values().stream().filter(j -> j.name.equals("SigningBenchmark.presignBatch")).toList();
    if (batch.isEmpty()) {
      md.append("`SigningBenchmark.presignBatch`: ").append(NOT).append(".\n\n");
    } else {
      Jmh one = jmh.get("SigningBenchmark.urlSignerPresignPut");
      md.append("`SigningBenchmark.presignBatch`: N URLs signed in one call (the shape of batch and multipart part")
          .append(" signing); the score is for the whole batch.\n\n")
          .append("| N | µs per batch | µs per URL | B per URL | per URL vs one `presignPut`").append(" |\n")
          .append("|---:|---:|---:|---:|---:|\n");
      for (Jmh j : batch) {
        double n = Double.parseDouble(j.param.replaceAll("[^0-9.]", ""));
        md.append("| ").append(fmt(n, 0)).append(" | ").append(fmt(j.score, 2)).append(" | **")
            .append(fmt(j.score / n, 2)).append("** | ").append(fmt(j.alloc / n, 0)).append(" | ")
            .append(one == null ? "" : fmt(j.score / n / one.score, 2) + "×").append(" |\n");
      }
      md.append('\n');
    }
  }

  private void roundsSection() {
    int n = Integer.parseInt(meta.getProperty("JMH_ROUNDS", "0"));
    if (n == 0) {
      return;
    }
    md.append("### Interleaved rounds: before/after and batch/singles\n\n")
        .append("One JMH run per cell (same arguments as above, `-prof gc`), the runs of a round in the order ")
        .append("handler-before, handler-after, batch, singles, reversed every other round. `HandlerBenchmark` with")
        .append(" the verified-token cache on: before on `").append(meta.getProperty("baseline_rev", "?"))
        .append("`'s build (src/before/java), after on this one's (src/after/java). `BatchBenchmark`: µs for all ")
        .append(fmt(filesOf(rounds.get("batch")), 0)).append(" files.\n\n")
        .append("| round | handler before µs | handler after µs | after / before | batch µs | singles µs | batch / singles |\n")
        .append("|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int r = 0; r < n; r++) {
      Jmh hb = rounds.get("handler-before").get(r);
      Jmh ha = rounds.get("handler-after").get(r);
      Jmh b = rounds.get("batch").get(r);
      Jmh s = rounds.get("singles").get(r);
      md.append("| ").append(r + 1).append(" | ").append(cell(hb)).append(" | ").append(cell(ha)).append(" | ")
          .append(hb == null || ha == null ? "" : fmt(ha.score / hb.score, 3)).append(" | ").append(cell(b))
          .append(" | ").append(cell(s)).append(" | ").append(b == null || s == null ? "" : fmt(b.score / s.score, 3))
          .append(" |\n");
    }
    md.append("| **median** | **").append(fmt(medianScore("handler-before"), 2)).append("** | **")
        .append(fmt(medianScore("handler-after"), 2)).append("** | **")
        .append(fmt(medianScore("handler-after") / medianScore("handler-before"), 3)).append("** | **")
        .append(fmt(medianScore("batch"), 1)).append("** | **").append(fmt(medianScore("singles"), 1))
        .append("** | **").append(fmt(medianScore("batch") / medianScore("singles"), 3)).append("** |\n")
        .append("| B/op (median) | ").append(fmt(medianAlloc("handler-before"), 0)).append(" | ")
        .append(fmt(medianAlloc("handler-after"), 0)).append(" | | ").append(fmt(medianAlloc("batch"), 0))
        .append(" | ").append(fmt(medianAlloc("singles"), 0)).append(" | |\n\n");
  }

  private static String cell(Jmh j) {
    return j == null ? NOT : fmt(j.score, 2) + pm(j.error);
  }

  private void reproduce() throws IOException {
    md.append("## How to reproduce\n\n")
        .append("```sh\nload-tests/bench.sh              # the defaults, about 45 minutes on a 2-core machine (this run's")
        .append(" settings are below)\n")
        .append("REPEATS=5 SAT_SECONDS=30 LAT_SECONDS=30 JMH_ARGS=\"-f 2 -wi 3 -w 10s -i 5 -r 10s\" load-tests/bench.sh  # longer, steadier\n")
        .append("SKIP_JMH=1 SOAK_SECONDS=0 load-tests/bench.sh   # HTTP part only\n```\n\n")
        .append("It needs Java 17, Maven, git, `wrk` and `curl` (`apt-get install -y wrk curl`; the script installs")
        .append(" them when missing and run as root). The header of `load-tests/bench.sh` and `load-tests/README.md`")
        .append(" list every knob. For a quieter figure, run it on an idle machine and compare ratios rather than")
        .append(" absolute numbers across machines.\n\n### Commands of this run\n\nSettings: ");
    for (String k : List.of("REPEATS", "WARMUP_SECONDS", "WARMUP_STEP_SECONDS", "WARMUP_MAX_SECONDS",
        "WARMUP_OPERATION_SECONDS", "SAT_SECONDS", "WRK_THREADS", "WRK_CONNECTIONS", "LAT_SECONDS",
        "LAT_WARMUP_SECONDS", "LAT_FRACTION", "LAT_MAX_CONNECTIONS", "USERS", "BASELINE_REV", "SOAK_SECONDS",
        "SOAK_FRACTION", "SOAK_SAMPLE", "JMH_ARGS", "JMH_ROUNDS", "OPENLOAD_JAVA_OPTS", "GATLING_RATES",
        "GATLING_PROBE_SECONDS", "GATLING_WARMUP_SECONDS", "GATLING_SECONDS", "GATLING_P99_MS")) {
      md.append('`').append(k).append('=').append(meta.getProperty(k, "")).append("` ");
    }
    md.append("\n\n```sh\n");
    Path commands = dir.resolve("commands.txt");
    if (Files.exists(commands)) {
      new LinkedHashSet<>(Files.readAllLines(commands)).forEach(c -> md.append(c).append('\n'));
    }
    md.append("```\n");
  }

  // ---- inputs -------------------------------------------------------------------------------------------------

  /** How OpenLoad was woken (LAT_TICK_US), said in a sentence; empty for runs made before the option existed. */
  static String tick(Properties meta) {
    String tick = meta.getProperty("LAT_TICK_US", "");
    if (tick.isBlank()) {
      return "";
    }
    return tick.equals("0") ? "OpenLoad woke for each send and each answer. "
        : "OpenLoad sent what fell due and read what had arrived every " + tick + " µs (`--tick-us`) rather than"
            + " waking for each request, which keeps the generator's CPU off the two cores the gateway uses; a tick"
            + " can only add to the latencies below, never hide any. ";
  }

  /** The key=number pairs of a file's RESULT line (wrk.lua or OpenLoad), or null when there is none. */
  private static Map<String, Double> result(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("RESULT ")) {
        Map<String, Double> r = kv(line);
        if (r.containsKey("scheduled") && r.getOrDefault("requests", 0.0) == 0) {
          r.keySet().removeIf(k -> k.endsWith("_us") && !k.startsWith("send_lag")); // no answer: no latency
        }
        return r;
      }
    }
    return null;
  }

  private static Map<String, Double> kv(String line) {
    Map<String, Double> out = new LinkedHashMap<>();
    Matcher m = KV.matcher(line);
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  private List<Map<String, Double>> samples() throws IOException {
    List<Map<String, Double>> out = new ArrayList<>();
    Path file = dir.resolve("soak-samples.txt");
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith("SAMPLE ")) {
          Map<String, Double> s = kv(line);
          if (s.getOrDefault("rss_kb", -1.0) >= 0) {
            out.add(s);
          }
        }
      }
    }
    return out;
  }

  /** Non-2xx answers, failed requests and all requests sent to the current gateway, every phase. */
  private long[] currentFailures() throws IOException {
    long non2xx = 0;
    long failed = 0;
    long total = 0;
    List<Path> files = new ArrayList<>();
    try (var list = Files.list(dir)) {
      list.filter(p -> p.getFileName().toString().matches("(warmup|sat|lat)-cur-.*\\.txt|soak-load\\.txt"))
          .sorted().forEach(files::add);
    }
    for (Path p : files) {
      Map<String, Double> r = result(p);
      if (r == null) {
        failed++; // a run without a result: counted as one failure, to be looked at
        continue;
      }
      if (r.containsKey("scheduled")) { // OpenLoad: measured phase and warm-up
        non2xx += r.get("non2xx") + r.getOrDefault("warmup_non2xx", 0.0);
        failed += r.get("errors") + r.get("timeouts") + r.get("unsent") + r.getOrDefault("warmup_errors", 0.0);
        total += r.get("scheduled") + Math.round(r.getOrDefault("warmup_s", 0.0) * r.getOrDefault("rate", 0.0));
      } else { // wrk: status counts answers >= 400
        non2xx += r.get("status_errors");
        failed += r.get("connect_errors") + r.get("read_errors") + r.get("write_errors") + r.get("timeouts");
        total += r.get("requests");
      }
    }
    return new long[] {non2xx, failed, total};
  }

  /** One JMH row: its primary score and its gc.alloc.rate.norm, keyed "Class.method params". */
  private record Jmh(String name, String param, double score, double error, String unit, double alloc) {
    static Map<String, Jmh> read(Path file) throws IOException {
      Map<String, Jmh> out = new LinkedHashMap<>();
      if (!Files.exists(file)) {
        return out;
      }
      List<String> lines = Files.readAllLines(file);
      List<String[]> rows = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        rows.add(line.replace("\"", "").split(",", -1));
      }
      for (String[] row : rows) {
        String name = row[0].replace("dev.presign.bench.", "");
        if (name.contains(":")) {
          continue;
        }
        String param = params(row);
        double alloc = rows.stream().filter(r -> r[0].endsWith(name + ":gc.alloc.rate.norm") && params(r).equals(param))
            .mapToDouble(r -> number(r[4])).findFirst().orElse(Double.NaN);
        out.put(name + (param.isEmpty() ? "" : " " + param),
            new Jmh(name, param, number(row[4]), number(row[5]), row[6], alloc));
      }
      return out;
    }

    /** JMH's "Param: …" columns, joined: "RS256, on". */
    private static String params(String[] row) {
      List<String> values = new ArrayList<>();
      for (int i = 7; i < row.length; i++) {
        if (!row[i].isBlank()) {
          values.add(row[i]);
        }
      }
      return String.join(", ", values);
    }

    private static double number(String s) {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
  }

  // ---- wording ------------------------------------------------------------------------------------------------

  private String stackLabel(String s) {
    return s.equals("cur") ? "after `" + meta.getProperty("revision") + "`" : "before `" + meta.getProperty("baseline_rev") + "`";
  }

  private String endpointLabel(String s, String e) {
    return switch (e) {
      case "presign" -> "`POST /api/s3/presign`";
      case "download" -> "`POST /api/s3/download`";
      case "sign" -> "`POST /api/s3/sign` (UploadPart)";
      default -> "no-op `GET /health/live` (" + meta.getProperty("noop_" + s, "?") + " port)";
    };
  }

  private String jdkName() {
    String v = meta.getProperty("java_compare", "");
    Matcher m = Pattern.compile("build ([0-9]+)").matcher(v);
    return m.find() ? "JDK " + m.group(1) : "the newer JDK";
  }

  /** The runtime images the Dockerfile builds from, as it says. */
  private static String dockerRuntime() {
    Path docker = Path.of("Dockerfile"); // run from the repository (bench.sh) or from load-tests/ (its tests)
    if (!Files.exists(docker)) {
      docker = Path.of("../Dockerfile");
    }
    if (!Files.exists(docker)) {
      return "";
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(docker);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> from = lines.stream().filter(l -> l.startsWith("FROM "))
        .map(l -> l.substring(5).replaceAll(" AS .*", "").strip()).toList();
    return from.isEmpty() ? "" : "The Dockerfile's last stage runs on `" + from.get(from.size() - 1) + "`.";
  }

  /** The median over the valid runs: a run in which any request failed measured something else. */
  private static double median(List<Map<String, Double>> runs, String key) {
    if (runs == null) {
      return Double.NaN;
    }
    double[] v = runs.stream().filter(BenchReport::valid).mapToDouble(r -> r.getOrDefault(key, Double.NaN))
        .filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** wrk runs with errors are left out; OpenLoad runs are kept (their failures are counted beside them). */
  private static boolean valid(Map<String, Double> run) {
    return run.getOrDefault("status_errors", 0.0) == 0 && run.getOrDefault("connect_errors", 0.0) == 0
        && run.getOrDefault("read_errors", 0.0) == 0 && (run.containsKey("scheduled") || run.getOrDefault("timeouts", 0.0) == 0);
  }

  /** Answers ≥ 400 and failed requests of wrk runs. */
  private static double errors(List<Map<String, Double>> runs) {
    return sum(runs, "status_errors") + sum(runs, "connect_errors") + sum(runs, "read_errors")
        + sum(runs, "write_errors") + sum(runs, "timeouts");
  }

  private static double sum(List<Map<String, Double>> runs, String key) {
    return runs.stream().mapToDouble(r -> r.getOrDefault(key, 0.0)).sum();
  }

  private static String runs(List<Map<String, Double>> runs, String key, double scale, int decimals) {
    List<String> v = new ArrayList<>();
    runs.forEach(r -> v.add(valid(r) ? fmt(r.getOrDefault(key, Double.NaN) * scale, decimals) : "failed"));
    return "[" + String.join(", ", v) + "]";
  }

  /** "2.1× more" style: how many times b is a (b / a). */
  private static String times(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || a <= 0) {
      return "n/a";
    }
    return fmt(b / a, 2) + "×";
  }

  /** How the second time compares with the first: "2.67× faster" or "1.10× slower". */
  private static String speed(double first, double second) {
    if (Double.isNaN(first) || Double.isNaN(second) || first <= 0 || second <= 0) {
      return "n/a";
    }
    if (Math.abs(first / second - 1) < 0.02) {
      return "about the same";
    }
    return first >= second ? fmt(first / second, 2) + "× faster" : fmt(second / first, 2) + "× slower";
  }

  private static String pct(double v) {
    return (v >= 0 ? "+" : "") + fmt(100 * v, 1) + " %";
  }

  /** " ± error", or nothing when JMH gave none (a single iteration). */
  private static String pm(double error) {
    return Double.isNaN(error) ? "" : " ± " + fmt(error, 2);
  }

  private static String ms(double millis) {
    return Double.isNaN(millis) ? NOT : fmt(millis, millis < 10 ? 2 : 1) + " ms";
  }

  private static String bold(String s) {
    return s.isEmpty() || s.equals("—") ? s : "**" + s + "**";
  }

  private static String plural(int n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }

  private static String ms3(Double micros) {
    if (micros == null || Double.isNaN(micros)) {
      return "—";
    }
    double m = micros / 1000;
    return fmt(m, m < 1 ? 3 : m < 100 ? 2 : 0);
  }

  private static String fmt(double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, decimals == 0 ? "%,.0f" : "%,." + decimals + "f", v);
  }

  private static String describe(String name, String param) {
    return switch (name) {
      case "SigningBenchmark.sdkPresignPut" -> "AWS SDK `S3Presigner.presignPutObject` alone";
      case "SigningBenchmark.urlSignerPresignPut" -> "gateway `UrlSigner.presignPut` (snapshot credentials, TTL cap, headers)";
      case "SigningBenchmark.presignBatch" -> "N = " + param + " URLs signed in one call (score per batch)";
      case "JwtBenchmark.authenticate" -> "vertx-auth-jwt `JWTAuth.authenticate`, " + param;
      case "HandlerBenchmark.handle" -> "`TokenVerifier.verify` + `PresignPut.answer(call)` (body parse, `KeyPolicy.plan`,"
          + " `UrlSigner.presignPut`, signing metric, JSON answer); verified-token cache "
          + (param.endsWith("off") ? "off: every signature checked" : "on: a known token");
      case "BatchBenchmark.batch" -> "one `PresignBatch.answer` on a body of " + param + " files";
      case "BatchBenchmark.singles" -> param + " × `PresignPut.answer`, one per file of the same batch";
      default -> "";
    };
  }
}
