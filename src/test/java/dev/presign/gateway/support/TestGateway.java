package dev.presign.gateway.support;

import dev.presign.gateway.Gateway;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.dev.S3ProxyProcess;
import dev.presign.gateway.metrics.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The real gateway on port 0, configured like production but pointed at test parts; plus a real HTTP client. */
public final class TestGateway implements AutoCloseable {
  public static final AwsCredentialsProvider S3PROXY_CREDENTIALS = StaticCredentialsProvider.create(
      AwsBasicCredentials.create(S3ProxyProcess.IDENTITY, S3ProxyProcess.CREDENTIAL));
  /** HTTP/1.1 as browsers and ingresses speak it to the gateway (the JDK client would otherwise try h2c). */
  public static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  public final Vertx vertx;
  public final Gateway gateway;

  private TestGateway(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  /** Environment as production would have it, with test endpoints; {@code s3Endpoint} may be null for API tests. */
  public static Map<String, String> env(TestIssuer issuer, String s3Endpoint) {
    Map<String, String> env = new HashMap<>();
    env.put("JWT_JWKS_URL", issuer.jwksUrl());
    env.put("JWT_ISSUER", TestIssuer.ISSUER);
    env.put("JWT_AUDIENCE", TestIssuer.AUDIENCE);
    env.put("JWT_PREFIXES_CLAIM", "prefixes");
    env.put("JWKS_MIN_REFRESH_SECONDS", "1");
    env.put("S3_BUCKET", LocalS3.BUCKET);
    env.put("AWS_REGION", LocalS3.REGION);
    env.put("S3_ENDPOINT", s3Endpoint == null ? "http://127.0.0.1:9" : s3Endpoint);
    env.put("S3_PATH_STYLE", "true");
    env.put("HTTP_PORT", "0");
    env.put("MANAGEMENT_PORT", "0");
    env.put("HTTP_INSTANCES", "1");
    // No readiness warm-up (seconds of requests) before each test's gateway: WarmUpTest is the one that has it.
    env.put("WARM_UP_REQUESTS", "0");
    return env;
  }

  public static TestGateway start(Map<String, String> env) {
    return start(env, new VertxOptions(), S3PROXY_CREDENTIALS);
  }

  public static TestGateway start(Map<String, String> env, VertxOptions options, AwsCredentialsProvider chain) {
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
    Vertx vertx = Gateway.newVertx(options, registry);
    try {
      Gateway gateway = new Gateway(vertx, registry, GatewayConfig.fromEnv(env), Clock.systemUTC(), chain).start()
          .await();
      return new TestGateway(vertx, gateway);
    } catch (RuntimeException e) {
      vertx.close().await();
      throw e;
    }
  }

  public String apiUrl(String path) {
    return "http://127.0.0.1:" + gateway.apiPort() + path;
  }

  public String managementUrl(String path) {
    return "http://127.0.0.1:" + gateway.managementPort() + path;
  }

  public HttpResponse<String> presign(String token, JsonObject body) {
    return post("/api/s3/presign", token, "application/json", body.encode());
  }

  public HttpResponse<String> post(String path, String token, String contentType, String body) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(apiUrl(path)))
        .timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      req.header("Content-Type", contentType);
    }
    if (token != null) {
      req.header("Authorization", "Bearer " + token);
    }
    return send(req.build());
  }

  public static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    gateway.stop().await();
    vertx.close().await();
  }
}
