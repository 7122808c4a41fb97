package dev.presign.gateway.signing;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/** URLs never outlive the credentials that sign them; credentials about to expire mean 503, not a dying URL. */
class CredentialsLifetimeTest {
  static TestIssuer issuer;

  @BeforeAll
  static void start() {
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
  }

  @AfterAll
  static void stop() {
    issuer.close();
  }

  static AwsCredentialsProvider sessionExpiringIn(long seconds) {
    return () -> AwsSessionCredentials.builder().accessKeyId("ASIATEST").secretAccessKey("secret")
        .sessionToken("session").expirationTime(Instant.now().plusSeconds(seconds)).build();
  }

  @Test
  void url_lifetime_is_cut_to_what_the_session_credentials_have_left() {
    try (TestGateway gw = TestGateway.start(TestGateway.env(issuer, null), new VertxOptions(), sessionExpiringIn(120))) {
      HttpResponse<String> r = gw.presign(issuer.token("k1", "alice"), new JsonObject().put("filename", "a.txt"));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      Matcher expires = Pattern.compile("X-Amz-Expires=(\\d+)").matcher(new JsonObject(r.body()).getString("uploadUrl"));
      assertThat(expires.find()).isTrue();
      assertThat(Integer.parseInt(expires.group(1))).isBetween(100, 120);
      assertThat(new JsonObject(r.body()).getString("uploadUrl")).contains("X-Amz-Security-Token=session");
    }
  }

  @Test
  void credentials_about_to_expire_give_503_and_not_ready() {
    try (TestGateway gw = TestGateway.start(TestGateway.env(issuer, null), new VertxOptions(), sessionExpiringIn(20))) {
      JsonObject problem = assertProblem(
          gw.presign(issuer.token("k1", "alice"), new JsonObject().put("filename", "a.txt")), 503);
      assertThat(problem.getString("detail")).contains("credentials");
      HttpResponse<String> ready = TestGateway.send(
          HttpRequest.newBuilder(URI.create(gw.managementUrl("/health/ready"))).build());
      assertThat(assertProblem(ready, 503).getString("detail")).contains("credentials");
    }
  }

  @Test
  void the_gateway_refuses_to_start_without_credentials() {
    AwsCredentialsProvider none = () -> {
      throw new IllegalStateException("Unable to load credentials from any of the providers in the chain");
    };
    assertThatThrownBy(() -> TestGateway.start(TestGateway.env(issuer, null), new VertxOptions(), none))
        .hasMessageContaining("no AWS credentials");
  }
}
