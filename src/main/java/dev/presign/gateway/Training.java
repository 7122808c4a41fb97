package dev.presign.gateway;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.logging.JsonLayout;
import dev.presign.gateway.metrics.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@code java -XX:AOTCacheOutput=… -jar presign-gateway.jar train}: the training run the image's AOT cache is built
 * from (JEP 483/514). Starts a complete gateway on 127.0.0.1 (dev issuer, so its tokens are RS256 and its keys come
 * through the JWKS fetch, as in production; static credentials, no network; its readiness warm-up runs as in every
 * start), sends it the rounds of {@link LoopbackTraffic} (every kind of signing request, answered and refused) many
 * times over, then stops: the classes, linkage and method profiles the JVM records
 * are those of the real request path. Exits 1 if any answer is not the one expected.
 */
final class Training {
  static final int ROUNDS = 2_500;

  private Training() {}

  static void run() throws Exception {
    Map<String, String> env = Map.ofEntries(Map.entry("GATEWAY_DEV_MODE", "true"), Map.entry("HTTP_HOST", "127.0.0.1"),
        Map.entry("HTTP_PORT", "0"), Map.entry("MANAGEMENT_PORT", "0"), Map.entry("S3_BUCKET", "training-bucket"),
        Map.entry("AWS_REGION", "eu-west-1"), Map.entry("LOG_FORMAT", "json"), Map.entry("SHUTDOWN_DRAIN_SECONDS", "0"),
        Map.entry("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
        // Both limits on, so that their code is trained, and too high to refuse any of these requests.
        Map.entry("RATE_LIMIT_PER_SECOND", "1000000"), Map.entry("RATE_LIMIT_BURST", "1000000"),
        Map.entry("EDGE_RATE_LIMIT_PER_SECOND", "1000000"), Map.entry("EDGE_RATE_LIMIT_BURST", "1000000"));
    GatewayConfig config = GatewayConfig.fromEnv(env);
    JsonLayout.useJson(true);
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
    Vertx vertx = Gateway.newVertx(new VertxOptions(), registry);
    Gateway gateway = new Gateway(vertx, registry, config, Clock.systemUTC(), StaticCredentialsProvider.create(
        AwsBasicCredentials.create("AKIDTRAINING", "training-secret-not-a-credential"))).start().await();
    gateway.warmedUp().await(); // the warm-up's own requests first, as at every start
    String ownPrefix = config.uploads().prefixTemplate();
    int requests = 0;
    List<String> wrong = new ArrayList<>();
    try (LoopbackTraffic traffic = new LoopbackTraffic(vertx, gateway.apiPort(), sub -> token(gateway, config, sub),
        sub -> ownPrefix.replace("{sub}", sub), "application/pdf", "https://app.example.com")) {
      for (int round = 0; round < ROUNDS; round++) {
        for (String problem : traffic.round(round)) {
          if (wrong.size() < 10) {
            wrong.add(problem);
          }
        }
        if (round % 100 == 0) {
          traffic.get(gateway.managementPort(), "/health/ready");
          traffic.get(gateway.managementPort(), "/metrics");
          requests += 2;
        }
      }
      requests += traffic.requests();
    }
    gateway.stop().await();
    vertx.close().await();
    System.err.println("presign-gateway training: " + requests + " requests, " + wrong.size() + " wrong answers"
        + (wrong.isEmpty() ? "" : ": " + wrong));
    JsonLayout.flushAndStop();
    System.exit(wrong.isEmpty() ? 0 : 1);
  }

  private static String token(Gateway gateway, GatewayConfig config, String sub) {
    long now = System.currentTimeMillis() / 1000;
    return gateway.devIssuer().sign(new JsonObject().put("iss", config.jwt().issuer())
        .put("aud", config.jwt().audiences().get(0)).put("sub", sub).put("iat", now).put("exp", now + 3600));
  }
}
