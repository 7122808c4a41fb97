package dev.presign.gateway.metrics;

import dev.presign.gateway.logging.BatchingAppender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * The gateway's meters, named per Prometheus conventions (base units, {@code _total} counters). Labels are
 * low-cardinality by construction: operation and outcome only, never a subject, key, bucket or token.
 */
public final class GatewayMetrics {
  /**
   * Buckets that make a p99 SLO between 1 and 50 ms readable with histogram_quantile (50 ms is the SLO's bucket,
   * {@code le="0.05"}, which the alerts read), and that go on to 10 s (REQUEST_TIMEOUT_MS' default) so that a slow
   * minute's p99 reads as what it was instead of flattening at the top bucket.
   */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500),
      Duration.ofSeconds(5), Duration.ofSeconds(10)};

  /**
   * Gauges vertx-micrometer (5.0.x) registers again for every request or connection it counts (in its RequestMetric
   * and socket-metric constructors), sharing one counter per id behind them: Micrometer reports the second
   * registration of a gauge as a WARN at every start, and each registration is a registry lookup on the event loop.
   * Not exported. In-flight work shows as presign_event_loop_lag_seconds; connections are the ingress' to count.
   */
  static final java.util.Set<String> REREGISTERED_GAUGES = java.util.Set.of(
      "vertx.http.server.active.requests", "vertx.http.client.active.requests",
      "vertx.http.server.active.connections", "vertx.http.client.active.connections",
      "vertx.http.server.active.ws.connections", "vertx.http.client.active.ws.connections");

  /** How a presign request ended. */
  public enum Outcome {
    OK, BAD_REQUEST, UNAUTHENTICATED, DENIED, RATE_LIMITED, ERROR;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** The metric label and audit field: the name in lower case. */
    public String label() {
      return label;
    }

    public static Outcome ofStatus(int status) {
      if (status < 400) {
        return OK;
      }
      return switch (status) {
        case 401 -> UNAUTHENTICATED;
        case 403 -> DENIED;
        case 429 -> RATE_LIMITED;
        default -> status >= 500 ? ERROR : BAD_REQUEST;
      };
    }
  }

  /** The operations the API serves: each gets its outcome counters at start, so every series exists from 0. */
  public static final java.util.List<String> OPERATIONS = java.util.List.of("put", "get", "batch", "sign",
      "confirm", "multipart_create", "multipart_sign", "multipart_parts", "multipart_complete", "multipart_abort", "list",
      "companion_params", "companion_create", "companion_list_parts", "companion_sign_part", "companion_sign_batch",
      "companion_complete", "companion_abort");
  /** Buckets for S3 API calls: a network round trip to S3, from a fast HeadObject to a call that times out. */
  static final Duration[] S3_CALL_BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500),
      Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final PrometheusMeterRegistry registry;
  private final Map<String, Outcomes> outcomes = new java.util.HashMap<>();
  private final Timer signing;
  private final Timer jwtValidation;

  public GatewayMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    for (String operation : OPERATIONS) {
      outcomes.put(operation, new Outcomes(registry, operation));
    }
    signing = Timer.builder("presign.signing").description("Time to make one presigned URL")
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    jwtValidation = Timer.builder("presign.jwt.validation").description("Time to validate one bearer token")
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    FunctionCounter.builder("presign.log.events.dropped", BatchingAppender.class, c -> BatchingAppender.dropped())
        .description("Log events (audit included) dropped because stdout could not keep up").register(registry);
  }

  /**
   * A registry whose Vert.x HTTP server latency is a histogram with the same buckets as ours, and whose JVM meters
   * pass {@code promtool check metrics}: Micrometer's {@code process.cpu.time} (nanoseconds, exported as
   * {@code process_cpu_time_ns_total}, an abbreviated unit) is replaced by {@code process_cpu_seconds_total}, the
   * name every Prometheus client library uses; {@code system.cpu.count} (a gauge ending in {@code _count}, which
   * Prometheus reserves for histograms and summaries) is exported as {@code jvm_available_processors}, which is
   * what it measures (Runtime.availableProcessors(), so -XX:ActiveProcessorCount shows here).
   */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = newRequestRegistry();
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, b -> b.getProcessCpuTime() / 1e9).baseUnit("seconds")
          .description("CPU time used by the JVM process").register(registry);
    }
    new UptimeMetrics().bindTo(registry);
    return registry;
  }

  /**
   * The same registry without the JVM's meters: for a server whose requests are not the gateway's to report (the
   * readiness warm-up's), meters and filters exactly as the gateway's own, so that the same code runs.
   */
  public static PrometheusMeterRegistry newRequestRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
        || REREGISTERED_GAUGES.contains(id.getName())));
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        return id.getName().equals("system.cpu.count") ? id.withName("jvm.available.processors") : id;
      }
    });
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getName().equals("vertx.http.server.response.time")) {
          return DistributionStatisticConfig.builder()
              .serviceLevelObjectives(java.util.Arrays.stream(LATENCY_BUCKETS).mapToDouble(d -> d.toNanos()).toArray())
              .build().merge(config);
        }
        return config;
      }
    });
    return registry;
  }

  /** The counters of one operation's answers by outcome: looked up once per endpoint, not per request. */
  public Outcomes outcomes(String operation) {
    Outcomes counters = outcomes.get(operation);
    if (counters == null) {
      throw new IllegalArgumentException("no such operation: " + operation + " (known: " + OPERATIONS + ")");
    }
    return counters;
  }

  /** {@code presign_requests_total{operation, outcome}} for one operation. */
  public static final class Outcomes {
    private final Counter[] byOutcome = new Counter[Outcome.values().length];

    private Outcomes(PrometheusMeterRegistry registry, String operation) {
      for (Outcome o : Outcome.values()) {
        byOutcome[o.ordinal()] = Counter.builder("presign.requests")
            .description("API requests by operation and outcome")
            .tag("operation", operation).tag("outcome", o.label()).register(registry);
      }
    }

    public void count(Outcome outcome) {
      byOutcome[outcome.ordinal()].increment();
    }
  }

  public void signing(long nanos) {
    signing.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A histogram with the latency buckets, for delays measured elsewhere (the event loops' lag). */
  public Timer timer(String name, String description) {
    return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
  }

  public void jwtValidation(long nanos) {
    jwtValidation.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /**
   * {@code presign_s3_call_seconds{operation, outcome}}: one S3 API call, its retries included. {@code operation}
   * is the S3 action (head_object, list_parts, …), {@code outcome} how it ended (ok, not_found, client_error,
   * throttled, server_error, timeout, unreachable, error): both from fixed sets.
   */
  public void s3Call(String operation, String outcome, long nanos) {
    Timer.builder("presign.s3.call").description("S3 API calls by S3 action and outcome, retries included")
        .tag("operation", operation).tag("outcome", outcome).serviceLevelObjectives(S3_CALL_BUCKETS)
        .register(registry).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** Registers a gauge read at scrape time; NaN means "not applicable" and never fires a comparison alert. */
  public void gauge(String name, String description, String unit, DoubleSupplier value) {
    Gauge.builder(name, value::getAsDouble).description(description).baseUnit(unit).register(registry);
  }

  public Counter counter(String name, String description, String tagKey, String tagValue) {
    return Counter.builder(name).description(description).tag(tagKey, tagValue).register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}
