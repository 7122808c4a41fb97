package dev.presign.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A key source without a JWKS (its keys from configuration), and how a JWKS answer's Cache-Control is read. */
class KeySourceTest {
  private static final String SECRET = "key-source-test-secret-0123456789abcdef";
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private static GatewayConfig.Jwt jwt(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of("JWT_ISSUER", TestIssuer.ISSUER, "JWT_AUDIENCE",
        TestIssuer.AUDIENCE, "S3_BUCKET", "b", "AWS_REGION", "us-east-1", "JWT_HMAC_SECRET", SECRET,
        "JWT_ALGORITHMS", "HS256"));
    env.putAll(extra);
    return GatewayConfig.fromEnv(env).jwt();
  }

  private KeySource staticSource(GatewayConfig.Jwt jwt) {
    return new KeySource(vertx, jwt, StaticKeys.fromSecret(SECRET, jwt.algorithms()), List.of(), null);
  }

  @Test
  void a_source_without_jwks_loads_once_never_fetches_and_closes_cleanly() {
    KeySource source = staticSource(jwt(Map.of()));
    long before = System.currentTimeMillis();
    source.start().await();
    assertThat(source.fetchesJwks()).isFalse();
    assertThat(source.current().keys()).hasSize(1);
    assertThat(source.current().version()).isEqualTo(1);
    assertThat(source.lastSuccessMillis()).isBetween(before, System.currentTimeMillis());
    assertThat(source.refreshForUnknownKid().await()).as("an unknown kid fetches nothing").isFalse();
    assertThat(source.fetchCount()).isZero();
    assertThat(source.refreshSuccesses()).isZero();
    assertThat(source.refreshFailures()).isZero();
    source.close();
  }

  @Test
  void cache_control_max_age_sets_the_next_fetch_within_the_minimum_and_a_day() {
    KeySource source = staticSource(jwt(Map.of("JWKS_REFRESH_SECONDS", "300", "JWKS_MIN_REFRESH_SECONDS", "30")));
    assertThat(source.maxAge(null)).as("no header: the configured refresh").isEqualTo(Duration.ofSeconds(300));
    assertThat(source.maxAge("no-cache")).isEqualTo(Duration.ofSeconds(300));
    assertThat(source.maxAge("max-age=600")).isEqualTo(Duration.ofSeconds(600));
    assertThat(source.maxAge("public, max-age = 45, must-revalidate")).isEqualTo(Duration.ofSeconds(45));
    assertThat(source.maxAge("max-age=30")).isEqualTo(Duration.ofSeconds(30));
    assertThat(source.maxAge("max-age=29")).as("at least the minimum").isEqualTo(Duration.ofSeconds(30));
    assertThat(source.maxAge("max-age=0")).isEqualTo(Duration.ofSeconds(30));
    assertThat(source.maxAge("max-age=86400")).isEqualTo(Duration.ofDays(1));
    assertThat(source.maxAge("max-age=86401")).as("at most a day").isEqualTo(Duration.ofDays(1));
    assertThat(source.maxAge("max-age=99999999")).as("8 digits: capped").isEqualTo(Duration.ofDays(1));
    assertThat(source.maxAge("max-age=123456789")).as("9 digits: not read, the configured refresh")
        .isEqualTo(Duration.ofSeconds(300));
  }
}
