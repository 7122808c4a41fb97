package dev.presign.loadtests;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.List;

/**
 * A steady rate, a sudden burst of {@code -DspikeFactor} times that rate for {@code -DspikeSeconds}, then the
 * steady rate again: every request must still get its 200, and the report shows how fast latency recovers.
 *
 * <pre>mvn gatling:test -Dgatling.simulationClass=dev.presign.loadtests.SpikeSimulation \
 *   -DbaseUrl=http://127.0.0.1:8080 -Drate=50 -Dduration=30 -DspikeFactor=10 -DspikeSeconds=5</pre>
 */
public class SpikeSimulation extends Simulation {
  private final String baseUrl = Settings.baseUrl();
  private final double rate = Settings.decimal("rate", 50);
  /** Seconds of steady rate before the spike, and again after it. */
  private final int duration = Settings.integer("duration", 30);
  private final double spikeFactor = Settings.decimal("spikeFactor", 10);
  private final int spikeSeconds = Settings.integer("spikeSeconds", 5);
  private final int users = Settings.integer("users", 100);
  private final Tokens tokens = new Tokens();

  private final HttpProtocolBuilder protocol = Requests.protocol(baseUrl);
  private final ScenarioBuilder presign = scenario("presign spike")
      .feed(Requests.feeder(tokens, null))
      .exec(Requests.presign());
  private final List<OpenInjectionStep> profile = List.of(
      constantUsersPerSec(rate).during(duration),
      constantUsersPerSec(rate * spikeFactor).during(spikeSeconds),
      constantUsersPerSec(rate).during(duration));
  private final List<Assertion> assertions = Settings.assertions();

  public SpikeSimulation() {
    setUp(presign.injectOpen(profile)).protocols(protocol).assertions(assertions)
        .maxDuration(Settings.maxDuration(2 * duration + spikeSeconds));
  }

  @Override
  public void before() {
    tokens.load(baseUrl, users);
  }
}
