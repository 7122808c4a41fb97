import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one bench.sh results folder into BENCHMARKS.md (on stdout). Run by bench.sh with the JDK's source
 * launcher, {@code java load-tests/bench/BenchReport.java RESULTS_DIR}: no build, no dependency.
 */
public class BenchReport {
  private static final Pattern KV = Pattern.compile("(\\w+)=([0-9.]+)");
  private static final String[] ENDPOINTS = {"presign", "live"};
  private static final Map<String, String> LABEL = Map.of(
      "presign", "`POST /api/s3/presign` (API port, RS256 token)",
      "live", "`GET /health/live` (management port, trivial)",
      "live-api", "`GET /health/live` (API port: same server and router as presign, no-op)");

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Properties meta = new Properties();
    try (Reader r = Files.newBufferedReader(dir.resolve("meta.properties"))) {
      meta.load(r);
    }
    StringBuilder md = new StringBuilder();
    new BenchReport().write(dir, meta, md);
    System.out.print(md);
  }

  private void write(Path dir, Properties meta, StringBuilder md) throws IOException {
    int repeats = Integer.parseInt(meta.getProperty("REPEATS"));
    Map<String, List<Map<String, Double>>> sat = new LinkedHashMap<>();
    Map<String, List<Map<String, Double>>> lat = new LinkedHashMap<>();
    List<String> saturated = new ArrayList<>(List.of("presign"));
    saturated.addAll(List.of(meta.getProperty("trivial", "live").split(" ")));
    for (String e : saturated) {
      sat.put(e, new ArrayList<>());
      for (int r = 1; r <= repeats; r++) {
        sat.get(e).add(wrk(dir.resolve("sat-" + e + "-" + r + ".txt")));
      }
    }
    for (String e : ENDPOINTS) {
      lat.put(e, new ArrayList<>());
      for (int r = 1; r <= repeats; r++) {
        lat.get(e).add(gatling(dir.resolve("lat-" + e + "-" + r + ".txt"),
            Double.parseDouble(meta.getProperty("LAT_SECONDS"))));
      }
    }
    List<String[]> jmh = jmh(dir.resolve("jmh.csv"));

    md.append("# Benchmarks\n\n")
        .append("Written by `load-tests/bench.sh` on ").append(meta.getProperty("started"))
        .append(" from gateway revision `").append(meta.getProperty("revision")).append("`, in one run of ")
        .append(Long.parseLong(meta.getProperty("elapsed_seconds")) / 60).append(" min ")
        .append(Long.parseLong(meta.getProperty("elapsed_seconds")) % 60).append(" s. Every figure below comes from")
        .append(" that run; the raw outputs were in `load-tests/target/").append(dir.getFileName()).append("/`.\n\n")
        .append("> **This machine is shared and noisy**: other builds and tests ran beside this benchmark (load average ")
        .append(meta.getProperty("loadavg_start")).append(" at the start, ").append(meta.getProperty("loadavg_end_http"))
        .append(" after the HTTP part, ").append(meta.getProperty("loadavg_end")).append(" at the end, on ")
        .append(meta.getProperty("nproc")).append(" CPUs), and the load generator shares the CPUs with the gateway.")
        .append(" Ratios measured in the same run, with the runs of the two endpoints alternating, matter more than")
        .append(" absolute numbers, which move from run to run.\n\n");

    md.append("## Machine\n\n| | |\n|---|---|\n")
        .append("| CPU | ").append(meta.getProperty("cpu")).append(", `nproc` = ").append(meta.getProperty("nproc")).append(" |\n")
        .append("| Memory | ").append(meta.getProperty("memory")).append(" |\n")
        .append("| Kernel | ").append(meta.getProperty("kernel")).append(" |\n")
        .append("| JVM | ").append(meta.getProperty("java")).append(" |\n")
        .append("| Gateway | local stack (`java -jar target/presign-gateway.jar local`: dev mode, S3Proxy), API verticles: ")
        .append(meta.getProperty("http_instances")).append(", default JVM flags, its log (an audit line per request)")
        .append(" written to a file").append(meta.getProperty("gateway_env", "").isBlank() ? ""
            : ", extra environment `" + meta.getProperty("gateway_env") + "`").append(" |\n")
        .append("| Callers | ").append(meta.getProperty("USERS")).append(" subjects, one RS256 token each from the dev")
        .append(" issuer, reused for every request as a client does until its token expires (so the gateway's")
        .append(" verified-token cache, where it has one, answers most verifications) |\n")
        .append("| Load generators | ").append(meta.getProperty("wrk")).append(" (Debian package) for saturation;")
        .append(" Gatling 3.15.1 (`load-tests/`, FixedRateSimulation) for latency at a fixed rate |\n\n");

    double presignRps = median(sat.get("presign"), "rps");
    double liveRps = median(sat.get("live"), "rps");
    md.append("## HTTP: presign next to the gateway's trivial endpoint\n\n")
        .append("### Saturation throughput\n\n")
        .append("wrk, closed loop: ").append(meta.getProperty("WRK_CONNECTIONS")).append(" keep-alive connections, ")
        .append(meta.getProperty("WRK_THREADS")).append(" thread(s), ").append(meta.getProperty("SAT_SECONDS"))
        .append(" s per run, ").append(repeats).append(" runs per endpoint alternating, after ")
        .append(meta.getProperty("WARMUP_SECONDS")).append(" s of presign warm-up. Median of the runs; the runs")
        .append(" themselves in brackets (a run with any error is left out of the median). Latency here is queueing at")
        .append(" saturation, shown for context only.\n\n")
        .append("| endpoint | req/s (median) | runs | non-2xx | latency at saturation p50 / p99 / p99.9 |\n")
        .append("|---|---:|---|---:|---|\n");
    for (String e : sat.keySet()) {
      md.append("| ").append(LABEL.get(e)).append(" | **").append(fmt(median(sat.get(e), "rps"), 0)).append("** | ")
          .append(runs(sat.get(e), "rps", 0)).append(" | ")
          .append(fmt(sum(sat.get(e), "status_errors") + sum(sat.get(e), "connect_errors")
              + sum(sat.get(e), "read_errors") + sum(sat.get(e), "timeouts"), 0)).append(" | ")
          .append(ms(median(sat.get(e), "p50_us") / 1000)).append(" / ").append(ms(median(sat.get(e), "p99_us") / 1000))
          .append(" / ").append(ms(median(sat.get(e), "p999_us") / 1000)).append(" |\n");
    }
    md.append("\n**Ratio presign / trivial throughput: ").append(fmt(presignRps / liveRps, 3)).append("** (the trivial")
        .append(" endpoint answers ").append(fmt(liveRps / presignRps, 1)).append("× as many requests per second)");
    if (sat.containsKey("live-api")) {
      double apiRps = median(sat.get("live-api"), "rps");
      md.append("; against the API port's own no-op, ").append(fmt(presignRps / apiRps, 3)).append(" (")
          .append(fmt(apiRps / presignRps, 1)).append("×)");
    }
    md.append(".\n\n");

    md.append("### Latency at a fixed rate\n\n")
        .append("Gatling, open model (`constantUsersPerSec`: arrivals do not wait for answers, so no coordinated")
        .append(" omission), both endpoints at the same rate, **").append(meta.getProperty("lat_rate")).append(" req/s** = ")
        .append(meta.getProperty("LAT_FRACTION")).append(" × the median presign saturation, ")
        .append(meta.getProperty("LAT_SECONDS")).append(" s measured per run after ").append(meta.getProperty("LAT_WARMUP_SECONDS"))
        .append(" s at the same rate that warm up Gatling's own JVM, ").append(repeats).append(" runs per endpoint")
        .append(" alternating, medians of the runs without failed requests. Only answers' statuses are checked (200), to")
        .append(" keep the generator light on the")
        .append(" shared CPUs. Gatling records whole milliseconds: 0 means under 1 ms.\n\n")
        .append("| endpoint | p50 ms | p99 ms | p99.9 ms | max ms | requests measured per run | achieved req/s | failed (whole run) |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String e : ENDPOINTS) {
      md.append("| ").append(LABEL.get(e)).append(" | ").append(fmt(median(lat.get(e), "p50"), 0)).append(" | **")
          .append(fmt(median(lat.get(e), "p99"), 0)).append("** ").append(runs(lat.get(e), "p99", 0)).append(" | ")
          .append(fmt(median(lat.get(e), "p999"), 0)).append(" ").append(runs(lat.get(e), "p999", 0)).append(" | ")
          .append(fmt(median(lat.get(e), "max"), 0)).append(" | ").append(fmt(median(lat.get(e), "count"), 0))
          .append(" | ").append(fmt(median(lat.get(e), "rps"), 1)).append(" | ").append(fmt(sum(lat.get(e), "ko"), 0))
          .append(" |\n");
    }
    double rate = Double.parseDouble(meta.getProperty("lat_rate"));
    if (median(lat.get("presign"), "p99") > 1000 || median(lat.get("presign"), "rps") < 0.9 * rate) {
      md.append("\n**Caution:** at this rate the presign p99 passed 1 s or the achieved rate fell short: the gateway")
          .append(" did not keep up during these runs (Gatling's own CPU use on the shared cores, or other load on the")
          .append(" machine), so these latencies include queueing. Run again on a quieter machine, or lower")
          .append(" `LAT_FRACTION`.\n");
    }
    md.append("\nRatio presign / trivial at ").append(meta.getProperty("lat_rate")).append(" req/s: p50 ")
        .append(ratio(median(lat.get("presign"), "p50"), median(lat.get("live"), "p50")))
        .append(", **p99 ").append(ratio(median(lat.get("presign"), "p99"), median(lat.get("live"), "p99")))
        .append("**, p99.9 ").append(ratio(median(lat.get("presign"), "p999"), median(lat.get("live"), "p999")))
        .append(".");
    if (median(lat.get("live"), "p99") >= 50) {
      md.append(" The trivial endpoint's own p99 is ").append(fmt(median(lat.get("live"), "p99"), 0)).append(" ms: at")
          .append(" this rate that tail is pauses of the machine (other processes, garbage collection), which hit")
          .append(" both endpoints alike, so the p50s and the throughput ratio say more than these tail ratios.");
    }
    md.append("\n\n");

    if (!jmh.isEmpty()) {
      writeJmh(meta, jmh, presignRps, md);
    }

    md.append("## How to reproduce\n\n")
        .append("```sh\nload-tests/bench.sh              # this report, about 10 minutes on an idle 2-core machine\n")
        .append("REPEATS=5 SAT_SECONDS=30 LAT_SECONDS=30 JMH_ARGS=\"-f 2 -wi 3 -w 10s -i 5 -r 10s\" load-tests/bench.sh  # longer, steadier\n")
        .append("SKIP_JMH=1 load-tests/bench.sh   # HTTP part only\n```\n\n")
        .append("It needs Java 17, Maven, `wrk` and `curl` (`apt-get install -y wrk curl`; the script installs them")
        .append(" when missing and run as root). The header of `load-tests/bench.sh` lists every knob. For a quieter")
        .append(" figure, run it on an idle machine and compare ratios rather than absolute numbers across machines.\n\n")
        .append("### Commands of this run\n\nSettings: ");
    for (String k : List.of("REPEATS", "WARMUP_SECONDS", "SAT_SECONDS", "WRK_THREADS", "WRK_CONNECTIONS", "LAT_SECONDS",
        "LAT_WARMUP_SECONDS", "LAT_FRACTION", "USERS", "JMH_ARGS")) {
      md.append('`').append(k).append('=').append(meta.getProperty(k)).append("` ");
    }
    md.append("\n\n```sh\n");
    Path commands = dir.resolve("commands.txt");
    if (Files.exists(commands)) {
      new LinkedHashSet<>(Files.readAllLines(commands)).forEach(c -> md.append(c).append('\n'));
    }
    md.append("```\n");
  }

  private void writeJmh(Properties meta, List<String[]> rows, double presignRps, StringBuilder md) {
    md.append("## JMH micro-benchmarks\n\n")
        .append("`load-tests/jmh`, JMH 1.37, `").append(meta.getProperty("JMH_ARGS")).append(" -prof gc`")
        .append(" (the AWS SDK presigner needs 15–20 s of warm-up before its cost settles). Average time per")
        .append(" operation on one thread; allocation is `gc.alloc.rate.norm`.\n\n")
        .append("| benchmark | what | score | ± error (99.9%) | units | allocated B/op |\n")
        .append("|---|---|---:|---:|---|---:|\n");
    Map<String, Double> score = new LinkedHashMap<>();
    for (String[] row : rows) {
      String name = row[0].replace("dev.presign.bench.", "");
      if (name.contains(":")) {
        continue;
      }
      String param = params(row);
      String alloc = rows.stream().filter(r -> r[0].endsWith(name + ":gc.alloc.rate.norm") && params(r).equals(param))
          .map(r -> fmt(Double.parseDouble(r[4]), 0)).findFirst().orElse("");
      String key = name + (param.isEmpty() ? "" : " " + param);
      score.put(key, Double.parseDouble(row[4]));
      md.append("| `").append(name).append(param.isEmpty() ? "" : "` (" + param + ")").append(param.isEmpty() ? "`" : "")
          .append(" | ").append(describe(name, param)).append(" | **").append(fmt(Double.parseDouble(row[4]), 2))
          .append("** | ").append(row[5].equals("NaN") ? "" : fmt(Double.parseDouble(row[5]), 2)).append(" | ")
          .append(row[6]).append(" | ").append(alloc).append(" |\n");
    }
    Double cached = score.get("HandlerBenchmark.handle RS256, on");
    Double uncached = score.get("HandlerBenchmark.handle RS256, off");
    if (cached != null) {
      int cpus = Integer.parseInt(meta.getProperty("nproc"));
      md.append("\n`HandlerBenchmark.handle` is the whole presign minus HTTP: ").append(fmt(cached, 1))
          .append(" µs/op with a token the verified-token cache already holds, so at most ").append(fmt(1e6 / cached, 0))
          .append(" presigns/s per fully busy core (").append(fmt(cpus * 1e6 / cached, 0)).append(" on ").append(cpus)
          .append(" cores with nothing else running); the HTTP run reached ").append(fmt(presignRps, 0))
          .append(" req/s, with wrk, the HTTP stack and the rest of the machine on the same cores.");
      Double jwt = score.get("JwtBenchmark.authenticate RS256");
      Double signer = score.get("SigningBenchmark.urlSignerPresignPut");
      if (uncached != null) {
        md.append(" A token seen for the first time costs ").append(fmt(uncached, 1)).append(" µs/op");
        if (jwt != null && signer != null) {
          md.append(", of which RS256 verification is about ").append(fmt(100 * jwt / uncached, 0))
              .append(" % and signing about ").append(fmt(100 * signer / uncached, 0))
              .append(" % (separate benchmarks, so only roughly)");
        }
        md.append('.');
      }
      md.append("\n\n");
    }
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

  private static String describe(String name, String param) {
    return switch (name) {
      case "SigningBenchmark.sdkPresignPut" -> "AWS SDK `S3Presigner.presignPutObject` alone";
      case "SigningBenchmark.urlSignerPresignPut" -> "gateway `UrlSigner.presignPut` (snapshot credentials, TTL cap, headers)";
      case "JwtBenchmark.authenticate" -> "vertx-auth-jwt `JWTAuth.authenticate`, " + param;
      case "HandlerBenchmark.handle" -> "body parse + `TokenVerifier.verify` + `KeyPolicy.plan` + `UrlSigner.presignPut`"
          + " + JSON answer; verified-token cache " + (param.endsWith("off") ? "off: every signature checked" : "on: a known token");
      default -> "";
    };
  }

  /** The RESULT line printed by wrk.lua's done(). */
  private static Map<String, Double> wrk(Path file) throws IOException {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("RESULT ")) {
        Matcher m = KV.matcher(line);
        while (m.find()) {
          out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalStateException(file + " has no RESULT line: did wrk run?");
    }
    return out;
  }

  /**
   * FixedRateSimulation's assertion lines: Gatling prints each with its actual value, for the "measured" phase
   * alone (its warm-up phase excluded), plus the whole run's failed count.
   */
  private static Map<String, Double> gatling(Path file, double seconds) throws IOException {
    Map<String, Double> out = new LinkedHashMap<>();
    Map<String, String> names = Map.of("count of all events", "count", "max of response time", "max",
        "50th percentile of response time", "p50", "99th percentile of response time", "p99",
        "99.9th percentile of response time", "p999");
    Pattern line = Pattern.compile("^(measured|Global): (.+?) (?:is|are) .*\\(actual : ([0-9.E]+)\\)");
    for (String text : Files.readAllLines(file)) {
      Matcher m = line.matcher(text);
      if (!m.find()) {
        continue;
      }
      if (m.group(1).equals("Global") && m.group(2).equals("count of failed events")) {
        out.put("ko", Double.parseDouble(m.group(3)));
      } else if (m.group(1).equals("measured") && names.containsKey(m.group(2))) {
        out.put(names.get(m.group(2)), Double.parseDouble(m.group(3)));
      }
    }
    if (!out.containsKey("p99") || !out.containsKey("count")) {
      throw new IllegalStateException(file + " has no figures for the measured phase: did the simulation run?");
    }
    out.put("rps", out.get("count") / seconds);
    return out;
  }

  private static double number(String cell) {
    String s = cell.strip().replace(",", "");
    return s.equals("-") || s.isEmpty() ? 0 : Double.parseDouble(s);
  }

  private static List<String[]> jmh(Path file) throws IOException {
    List<String[]> rows = new ArrayList<>();
    if (!Files.exists(file)) {
      return rows;
    }
    List<String> lines = Files.readAllLines(file);
    for (String line : lines.subList(1, lines.size())) {
      rows.add(line.replace("\"", "").split(",", -1));
    }
    return rows;
  }

  /** The median over the valid runs: a run in which any request failed measured something else. */
  private static double median(List<Map<String, Double>> runs, String key) {
    double[] v = runs.stream().filter(BenchReport::valid).mapToDouble(r -> r.getOrDefault(key, Double.NaN))
        .sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static boolean valid(Map<String, Double> run) {
    return run.getOrDefault("ko", 0.0) == 0 && run.getOrDefault("status_errors", 0.0) == 0
        && run.getOrDefault("connect_errors", 0.0) == 0 && run.getOrDefault("read_errors", 0.0) == 0
        && run.getOrDefault("timeouts", 0.0) == 0;
  }

  private static double sum(List<Map<String, Double>> runs, String key) {
    return runs.stream().mapToDouble(r -> r.getOrDefault(key, 0.0)).sum();
  }

  private static String runs(List<Map<String, Double>> runs, String key, int decimals) {
    List<String> v = new ArrayList<>();
    runs.forEach(r -> v.add(valid(r) ? fmt(r.getOrDefault(key, Double.NaN), decimals) : "failed"));
    return "[" + String.join(", ", v) + "]";
  }

  /** Gatling's 1 ms resolution makes a ratio to a 0 or 1 ms figure meaningless. */
  private static String ratio(double a, double b) {
    return b <= 1 ? "n/a (trivial at " + fmt(b, 0) + " ms, Gatling's resolution)" : fmt(a / b, 1) + "×";
  }

  private static String ms(double millis) {
    return fmt(millis, millis < 10 ? 2 : 1) + " ms";
  }

  private static String fmt(double v, int decimals) {
    return String.format(Locale.ROOT, decimals == 0 ? "%,.0f" : "%,." + decimals + "f", v);
  }
}
