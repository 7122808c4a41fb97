package dev.presign.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A key made in memory (the dev issuer's, the readiness warm-up's) signs tokens that the gateway's own verifier,
 * given only its JWK, accepts for every algorithm the gateway supports, and refuses once the token is altered.
 */
class LocalSignerTest {
  Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256",
      "HS384", "HS512"})
  void its_tokens_verify_with_its_jwk_alone(String alg) {
    LocalSigner signer = new LocalSigner(alg, "test");
    boolean secret = alg.startsWith("HS");
    // The configuration only has to allow the algorithm: the keys are given to the key source directly.
    Map<String, String> env = Map.of("JWT_ISSUER", TestIssuer.ISSUER, "JWT_AUDIENCE", TestIssuer.AUDIENCE,
        "S3_BUCKET", "b", "AWS_REGION", "us-east-1", "JWT_ALGORITHMS", alg,
        secret ? "JWT_HMAC_SECRET" : "JWT_JWKS_URL",
        secret ? "unused-secret-0123456789abcdef-0123456789" : "http://127.0.0.1:9/jwks");
    GatewayConfig.Jwt jwt = GatewayConfig.fromEnv(env).jwt();
    KeySource keys = new KeySource(vertx, jwt, secret ? List.of(signer.jwk()) : List.of(),
        secret ? List.of() : List.of(signer.jwk()), null);
    keys.start().await();
    assertThat(keys.current().kids()).containsExactly(signer.kid());
    TokenVerifier verifier = new TokenVerifier(vertx, keys, jwt, Clock.systemUTC());

    String token = signer.sign(TestIssuer.claims("alice"));
    assertThat(new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[0])))
        .getString("alg")).isEqualTo(alg);
    assertThat(verifier.verify("Bearer " + token).await().subject()).isEqualTo("alice");
    String altered = token.substring(0, token.length() - 3) + (token.endsWith("AAA") ? "BBB" : "AAA");
    assertThat(verifier.verify("Bearer " + altered).failed()).isTrue();
  }
}
