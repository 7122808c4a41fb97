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
 * The packaged jar started as the image starts it: the image's JVM flags (src/main/docker/jvm.options, the file the
 * Dockerfile's ENTRYPOINT reads), production mode, JSON logs. Every line it writes to stdout or stderr from start to
 * stop is one JSON object, and none is a WARN or an ERROR, so a log pipeline sees a clean start. On Java 25 and
 * later (CI's second pass runs the suite on Temurin 25, the image's JVM) the image's AOT cache is made as the image
 * build makes it, and the start must use it (-XX:AOTMode=on fails a start that cannot).
 */
class QuietStartIT {
  static final String SECRET = "quiet-start-test-secret-0123456789abcdef";
  static final Path OPTIONS = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
      .resolve("src/main/docker/jvm.options");

  @Test
  void a_start_with_the_images_jvm_flags_logs_only_json_lines_and_no_warning() throws Exception {
    List<String> flags = new ArrayList<>(List.of("@" + OPTIONS, "-XX:MaxRAM=512m"));
    if (Runtime.version().feature() >= 25) {
      Path cache = Files.createTempDirectory("aot").resolve("presign-gateway.aot");
      Process train = new ProcessBuilder(java(), "@" + OPTIONS, "-XX:MaxRAM=512m", "-XX:AOTCacheOutput=" + cache,
          "-jar", System.getProperty("gateway.jar"), "train").redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.PIPE).start();
      String err = new String(train.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(train.waitFor()).as(err).isZero();
      assertThat(err).contains("0 wrong answers");
      flags.addAll(List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on"));
    }
    List<String> lines = startScrapeAndStop(flags);
    assertThat(lines).as("start, ready, stop").isNotEmpty()
        .anySatisfy(l -> assertThat(l).contains("presign-gateway listening"))
        .anySatisfy(l -> assertThat(l).contains("presign-gateway stopped"));
    for (String line : lines) {
      JsonObject event = new JsonObject(line); // throws on any line that is not one JSON object
      assertThat(event.getString("level")).as(line).isIn("INFO", "DEBUG", "TRACE");
    }
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Runs the jar with {@code jvmFlags} until ready, scrapes /metrics once, sends SIGTERM; its output lines. */
  static List<String> startScrapeAndStop(List<String> jvmFlags) throws Exception {
    int api = LocalS3.freePort();
    int management = LocalS3.freePort();
    Path log = Files.createTempFile("gateway", ".log");
    List<String> command = new ArrayList<>(List.of(java()));
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
          // Never more than 2 s a poll: a lost request is retried, not waited on for good.
          HttpRequest ready = HttpRequest.newBuilder(URI.create(base + "/health/ready"))
              .timeout(Duration.ofSeconds(2)).build();
          if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
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
