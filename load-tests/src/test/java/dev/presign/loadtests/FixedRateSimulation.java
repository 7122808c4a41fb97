package dev.presign.loadtests;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
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
 */
public class FixedRateSimulation extends Simulation {
  private final String baseUrl = Settings.baseUrl();
  private final String managementUrl = Settings.string("managementUrl", "http://127.0.0.1:9090");
  private final String target = Settings.string("target", "presign");
  private final double rate = Settings.decimal("rate", 100);
  private final int duration = Settings.integer("duration", 15);
  private final int users = Settings.integer("users", 100);
  private final Tokens tokens = new Tokens();

  private final HttpProtocolBuilder protocol = Requests.protocol(target.equals("live") ? managementUrl : baseUrl);
  private final ScenarioBuilder scenario = target.equals("live")
      ? scenario("live").exec(http("GET /health/live").get("/health/live").check(status().is(200)))
      : scenario("presign").feed(Requests.feeder(tokens, null)).exec(Requests.presign());
  private final List<Assertion> assertions = Settings.assertions();

  public FixedRateSimulation() {
    setUp(scenario.injectOpen(constantUsersPerSec(rate).during(duration))).protocols(protocol).assertions(assertions);
  }

  @Override
  public void before() {
    if (!target.equals("live")) {
      tokens.load(baseUrl, users);
    }
  }
}
