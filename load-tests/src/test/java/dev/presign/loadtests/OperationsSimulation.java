package dev.presign.loadtests;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.List;

/**
 * The operations besides presign, open workload at {@code -Drate}: downloads ({@code POST /api/s3/download}) and
 * Uppy 6 UploadPart signatures ({@code POST /api/s3/sign}) of the caller's own keys, each answer checked (200, a
 * signed URL of that key, GET / PUT, the download name, uploadId and partNumber), and the same on another caller's
 * keys, which must answer 403 {@code key-prefix}.
 *
 * <pre>mvn gatling:test -Dgatling.simulationClass=dev.presign.loadtests.OperationsSimulation \
 *   -DbaseUrl=http://127.0.0.1:8080 -Drate=50 -Dduration=60 -Dusers=100 [-Dp99=50] [-DtokenFile=tokens.txt]</pre>
 */
public class OperationsSimulation extends Simulation {
  private final String baseUrl = Settings.baseUrl();
  private final double rate = Settings.decimal("rate", 50);
  private final int duration = Settings.integer("duration", 60);
  private final int users = Settings.integer("users", 100);
  private final Tokens tokens = new Tokens();

  private final HttpProtocolBuilder protocol = Requests.protocol(baseUrl);
  private final ScenarioBuilder operations = scenario("download and sign")
      .feed(Requests.feeder(tokens, null))
      .exec(randomSwitch().on(
          percent(45).then(Requests.download()),
          percent(45).then(Requests.signUploadPart()),
          percent(5).then(Requests.downloadDenied()),
          percent(5).then(Requests.signUploadPartDenied())));
  private final List<Assertion> assertions = Settings.assertions();

  public OperationsSimulation() {
    setUp(operations.injectOpen(constantUsersPerSec(rate).during(duration))).protocols(protocol)
        .assertions(assertions).maxDuration(Settings.maxDuration(duration));
  }

  @Override
  public void before() {
    tokens.load(baseUrl, users);
  }
}
