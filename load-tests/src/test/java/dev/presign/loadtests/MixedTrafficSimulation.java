package dev.presign.loadtests;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.List;

/**
 * Valid presigns, downloads and UploadPart signatures mixed with every kind of refusal. Each request checks for its own expected answer, so a failed
 * request means a wrong answer (a 200 for a forged token, a 500, a 401 for a valid one), never "an error status".
 *
 * <pre>mvn gatling:test -Dgatling.simulationClass=dev.presign.loadtests.MixedTrafficSimulation \
 *   -DbaseUrl=http://127.0.0.1:8080 -Drate=50 -Dduration=60 -Dusers=100 -DjwtLeewaySeconds=30</pre>
 */
public class MixedTrafficSimulation extends Simulation {
  private final String baseUrl = Settings.baseUrl();
  private final double rate = Settings.decimal("rate", 50);
  private final int duration = Settings.integer("duration", 60);
  private final int users = Settings.integer("users", 100);
  private final long maxUploadBytes = Long.parseLong(Settings.string("maxUploadBytes", "104857600"));
  /** HTTP_BODY_LIMIT_BYTES + 1: the smallest body the gateway must refuse with 413. */
  private final String oversizedBody = "{\"filename\":\"" + "x".repeat(Settings.integer("bodyLimitBytes", 16384))
      + ".txt\"}";
  private final Tokens tokens = new Tokens();
  private final Tokens expiredTokens = new Tokens();

  private final HttpProtocolBuilder protocol = Requests.protocol(baseUrl);
  private final ScenarioBuilder mixed = scenario("mixed traffic")
      .feed(Requests.feeder(tokens, expiredTokens))
      .exec(randomSwitch().on(
          percent(30).then(Requests.presign()),
          percent(8).then(Requests.download()),
          percent(8).then(Requests.signUploadPart()),
          percent(6).then(Requests.post("expired token 401", "#{expiredToken}", Requests.VALID_BODY)
              .check(Requests.problem(401))),
          percent(6).then(Requests.post("forged signature 401", "#{forgedToken}", Requests.VALID_BODY)
              .check(Requests.problem(401))),
          percent(6).then(Requests.post("other caller's prefix 403", "#{token}",
              "{\"filename\":\"#{filename}\",\"prefix\":\"#{otherPrefix}\"}").check(Requests.denied("key-prefix"))),
          percent(4).then(Requests.downloadDenied()),
          percent(4).then(Requests.signUploadPartDenied()),
          percent(6).then(Requests.post("disallowed content type 403", "#{token}",
              "{\"filename\":\"setup.exe\",\"contentType\":\"application/x-msdownload\"}")
              .check(Requests.denied("content-type"))),
          percent(5).then(Requests.post("size over maximum 403", "#{token}",
              "{\"filename\":\"#{filename}\",\"size\":" + (maxUploadBytes + 1) + "}").check(Requests.denied("max-size"))),
          percent(5).then(Requests.post("body over limit 413", "#{token}", oversizedBody)
              .check(Requests.problem(413))),
          percent(4).then(Requests.post("malformed JSON 400", "#{token}", "{\"filename\": \"a.txt\",")
              .check(Requests.problem(400))),
          percent(4).then(http("not JSON 415").post(Requests.PATH).header("Authorization", "Bearer #{token}")
              .header("Content-Type", "text/plain").body(StringBody("filename=a.txt")).check(Requests.problem(415)))));
  private final List<Assertion> assertions = Settings.assertions();

  public MixedTrafficSimulation() {
    setUp(mixed.injectOpen(constantUsersPerSec(rate).during(duration))).protocols(protocol).assertions(assertions)
        .maxDuration(Settings.maxDuration(duration));
  }

  @Override
  public void before() {
    expiredTokens.loadExpired(baseUrl, Math.min(users, 10));
    tokens.load(baseUrl, users);
  }
}
