package dev.presign.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.Jwts;
import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar started as a pod starts it (production mode, JSON logs): every line it writes from start to
 * stop is one JSON object, and none is a WARN or an ERROR, so a log pipeline sees a clean start.
 */
class QuietStartIT {
  static final String SECRET = "quiet-start-test-secret-0123456789abcdef";

  @Test
  void a_production_start_and_stop_logs_only_json_lines_and_no_warning() throws Exception {
    List<String> lines = startScrapeAndStop(List.of());
    assertThat(lines).as("start, ready, stop").isNotEmpty()
        .anySatisfy(l -> assertThat(l).contains("presign-gateway listening"))
        .anySatisfy(l -> assertThat(l).contains("presign-gateway stopped"));
    for (String line : lines) {
      JsonObject event = new JsonObject(line); // throws on any line that is not one JSON object
      assertThat(event.getString("level")).as(line).isIn("INFO", "DEBUG", "TRACE");
    }
  }

  /** Runs the jar with {@code jvmFlags} until ready, scrapes /metrics once, sends SIGTERM; its output lines. */
  static List<String> startScrapeAndStop(List<String> jvmFlags) throws Exception {
    int api = LocalS3.freePort();
    int management = LocalS3.freePort();
    Path log = Files.createTempFile("gateway", ".log");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", System.getProperty("gateway.jar")));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
    pb.environment().putAll(Map.of(
        "JWT_HMAC_SECRET", SECRET, "JWT_ISSUER", TestIssuer.ISSUER,
        "JWT_AUDIENCE", TestIssuer.AUDIENCE, "S3_BUCKET", "bucket", "AWS_REGION", "eu-west-1",
        "AWS_ACCESS_KEY_ID", "AKIDQUIETSTART", "AWS_SECRET_ACCESS_KEY", "quiet-start-aws-secret-value",
        "HTTP_PORT", String.valueOf(api), "MANAGEMENT_PORT", String.valueOf(management), "LOG_FORMAT", "json"));
    pb.environment().put("SHUTDOWN_DRAIN_SECONDS", "0");
    Process gateway = pb.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + management;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        assertThat(gateway.isAlive()).as("gateway running: %s", Files.readString(log)).isTrue();
        try {
          if (http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            break;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        assertThat(System.nanoTime()).as("ready within 60 s").isLessThan(deadline);
        Thread.sleep(50);
      }
      // Requests on several connections, answered 200 and 401, so that per-request and per-connection meters
      // register (a second registration of a gauge is what Micrometer warns about).
      String token = Jwts.sign(new JsonObject().put("alg", "HS256").put("typ", "JWT"), TestIssuer.claims("alice"),
          new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      for (int i = 0; i < 4; i++) {
        for (String auth : new String[] {"Bearer " + token, "Bearer not-a-token"}) {
          HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + api + "/api/s3/presign"))
              .header("Authorization", auth).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"filename\":\"a.txt\"}")).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(r.statusCode()).as(r.body()).isEqualTo(auth.contains(".") ? 200 : 401);
        }
      }
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(200);
    } finally {
      gateway.destroy(); // SIGTERM
      if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
        gateway.destroyForcibly();
      }
    }
    return Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
  }
}
