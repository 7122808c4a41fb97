package dev.presign.loadtests;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.List;

/**
 * Valid presigns from many callers, open workload: arrivals do not wait for answers, so a slow gateway shows up
 * as latency instead of a lower request rate. A ramp to {@code -Drate} over the first fifth, then that rate.
 *
 * <pre>mvn gatling:test -Dgatling.simulationClass=dev.presign.loadtests.PresignSimulation \
 *   -DbaseUrl=http://127.0.0.1:8080 -Drate=50 -Dduration=60 -Dusers=100 [-Dp99=50] [-DtokenFile=tokens.txt]</pre>
 */
public class PresignSimulation extends Simulation {
  private final String baseUrl = Settings.baseUrl();
  private final double rate = Settings.decimal("rate", 50);
  private final int duration = Settings.integer("duration", 60);
  private final int users = Settings.integer("users", 100);
  private final Tokens tokens = new Tokens();

  private final HttpProtocolBuilder protocol = Requests.protocol(baseUrl);
  private final ScenarioBuilder presign = scenario("presign")
      .feed(Requests.feeder(tokens, null))
      .exec(Requests.presign());
  private final List<OpenInjectionStep> profile = List.of(
      rampUsersPerSec(Math.max(1, rate / 10)).to(rate).during(Math.max(1, duration / 5)),
      constantUsersPerSec(rate).during(duration - Math.max(1, duration / 5)));
  private final List<Assertion> assertions = Settings.assertions();

  public PresignSimulation() {
    setUp(presign.injectOpen(profile)).protocols(protocol).assertions(assertions)
        .maxDuration(Settings.maxDuration(duration));
  }

  @Override
  public void before() {
    tokens.load(baseUrl, users);
  }
}
