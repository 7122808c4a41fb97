package dev.presign.gateway;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.logging.JsonLayout;
import dev.presign.gateway.metrics.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@code java -XX:AOTCacheOutput=… -jar presign-gateway.jar train}: the training run the image's AOT cache is built
 * from (JEP 483/514). Starts a complete gateway on 127.0.0.1 (dev issuer, so its tokens are RS256 and its keys come
 * through the JWKS fetch, as in production; static credentials, no network), sends it every kind of request the API
 * serves, answered and refused, many times over, then stops: the classes, linkage and method profiles the JVM records
 * are those of the real request path. Exits 1 if any answer is not the one expected.
 */
final class Training {
  static final int ROUNDS = 2_500;
  private static final int SUBJECTS = 50;

  private Training() {}

  static void run() throws Exception {
    Map<String, String> env = Map.ofEntries(Map.entry("GATEWAY_DEV_MODE", "true"), Map.entry("HTTP_HOST", "127.0.0.1"),
        Map.entry("HTTP_PORT", "0"), Map.entry("MANAGEMENT_PORT", "0"), Map.entry("S3_BUCKET", "training-bucket"),
        Map.entry("AWS_REGION", "eu-west-1"), Map.entry("LOG_FORMAT", "json"), Map.entry("SHUTDOWN_DRAIN_SECONDS", "0"),
        Map.entry("RATE_LIMIT_PER_SECOND", "0"), Map.entry("CORS_ALLOWED_ORIGINS", "https://app.example.com"));
    GatewayConfig config = GatewayConfig.fromEnv(env);
    JsonLayout.useJson(true);
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
    Vertx vertx = Gateway.newVertx(new VertxOptions(), registry);
    Gateway gateway = new Gateway(vertx, registry, config, Clock.systemUTC(), StaticCredentialsProvider.create(
        AwsBasicCredentials.create("AKIDTRAINING", "training-secret-not-a-credential"))).start().await();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < SUBJECTS; i++) {
      tokens.add(token(gateway, config, "user" + i));
    }
    int requests = 0;
    List<String> wrong = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      String sub = "user" + round % SUBJECTS;
      // Mostly tokens seen before (the cache), every tenth a fresh one (a full RS256 verification).
      String token = round % 10 == 0 ? token(gateway, config, sub) : tokens.get(round % SUBJECTS);
      int api = gateway.apiPort();
      List<CompletableFuture<String>> answers = List.of(
          post(http, api, "/api/s3/presign", token, new JsonObject().put("filename", "report " + round + ".pdf")
              .put("contentType", "application/pdf").put("size", 1000 + round), 200),
          post(http, api, "/api/s3/presign", token, new JsonObject().put("filename", "a.txt"), 200),
          post(http, api, "/api/s3/download", token, new JsonObject().put("key", "users/" + sub + "/k/a.txt")
              .put("filename", "a.txt"), 200),
          post(http, api, "/api/s3/presign/batch", token, new JsonObject().put("files", new JsonArray()
              .add(new JsonObject().put("filename", "b.png").put("contentType", "image/png").put("size", 5))
              .add(new JsonObject().put("filename", "c.html").put("contentType", "text/html"))), 200),
          post(http, api, "/api/s3/sign", token, new JsonObject().put("method", "PUT").put("key", "d.txt"), 200),
          post(http, api, "/api/s3/sign", token, new JsonObject().put("method", "PUT")
              .put("key", "users/" + sub + "/e/f.bin").put("uploadId", "up-" + round).put("partNumber", 1), 200),
          post(http, api, "/api/s3/presign", token, new JsonObject().put("prefix", "users/other/"), 400),
          post(http, api, "/api/s3/presign", null, new JsonObject().put("filename", "a.txt"), 401),
          post(http, api, "/api/s3/presign", "not.a.token", new JsonObject().put("filename", "a.txt"), 401));
      for (CompletableFuture<String> answer : answers) {
        String problem = answer.get();
        if (problem != null && wrong.size() < 10) {
          wrong.add(problem);
        }
      }
      requests += answers.size();
      if (round % 100 == 0) {
        get(http, gateway.managementPort(), "/health/ready");
        get(http, gateway.managementPort(), "/metrics");
        requests += 2;
      }
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

  /** Null when the answer had {@code expected} status, else what it was. */
  private static CompletableFuture<String> post(HttpClient http, int port, String path, String token, JsonObject body,
                                                int expected) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .header("Origin", "https://app.example.com").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> r.statusCode() == expected ? (String) null
            : path + " answered " + r.statusCode() + ", expected " + expected + ": " + r.body())
        .exceptionally(e -> path + ": " + e);
  }

  private static void get(HttpClient http, int port, String path) throws Exception {
    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.discarding());
  }
}
