package dev.presign.loadtests;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.List;

/**
 * bench.sh's latency probe: one endpoint at one constant arrival rate, open model, so a stall is counted against
 * every request that arrived during it (no coordinated omission). {@code -Dtarget=presign} posts valid presigns to
 * {@code -DbaseUrl}; {@code -Dtarget=live} gets {@code -DmanagementUrl}/health/live, the gateway's trivial endpoint.
 * A {@code -Dwarmup} phase first, at the same rate, lets Gatling's own JVM warm up: its backlog would otherwise be
 * the p99. Only the status is checked: the generator shares the CPUs, and PresignSimulation checks the rest.
 */
public class FixedRateSimulation extends Simulation {
  private final String baseUrl = Settings.baseUrl();
  private final String managementUrl = Settings.string("managementUrl", "http://127.0.0.1:9090");
  private final boolean live = Settings.string("target", "presign").equals("live");
  private final double rate = Settings.decimal("rate", 100);
  private final int duration = Settings.integer("duration", 15);
  private final int warmup = Settings.integer("warmup", 5);
  private final int users = Settings.integer("users", 100);
  private final Tokens tokens = new Tokens();

  private final HttpProtocolBuilder protocol = Requests.protocol(live ? managementUrl : baseUrl);
  /**
   * Always true but the first: Gatling prints every assertion with its actual value, and these lines are how bench.sh
   * (BenchReport) reads the measured phase alone (the run's global figures include the warm-up).
   */
  private final List<Assertion> assertions = List.of(
      global().failedRequests().count().is(0L),
      details("measured").allRequests().count().gte(0L),
      details("measured").failedRequests().count().gte(0L),
      details("measured").responseTime().percentile(50).gte(0),
      details("measured").responseTime().percentile(95).gte(0),
      details("measured").responseTime().percentile(99).gte(0),
      details("measured").responseTime().percentile(99.9).gte(0),
      details("measured").responseTime().max().gte(0));

  public FixedRateSimulation() {
    setUp(phase("warm-up").injectOpen(constantUsersPerSec(rate).during(warmup))
        .andThen(phase("measured").injectOpen(constantUsersPerSec(rate).during(duration))))
        .protocols(protocol).assertions(assertions)
        .maxDuration(Settings.maxDuration(warmup + duration));
  }

  private ScenarioBuilder phase(String name) {
    return live
        ? scenario(name).exec(http(name).get("/health/live").check(status().is(200)))
        : scenario(name).feed(Requests.feeder(tokens, null))
            .exec(Requests.post(name, "#{token}", Requests.VALID_BODY).check(status().is(200)));
  }

  @Override
  public void before() {
    if (!live) {
      tokens.load(baseUrl, users);
    }
  }
}
