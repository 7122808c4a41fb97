package dev.presign.gateway.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.dev.LocalStack;
import dev.presign.gateway.dev.S3ProxyProcess;
import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.StaticSite;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@code doctor} against a real S3Proxy set up right, and set up wrong one way at a time: each wrong setup must give
 * its own diagnosis line (the check, what was seen, the seed's row), not only a failing exit status.
 */
class DoctorIT {
  static final String FRONTEND = "http://127.0.0.1:5173";
  static final Path JAR = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy.jar"));

  static S3ProxyProcess s3;
  static TestIssuer issuer;

  @BeforeAll
  static void start() {
    s3 = S3ProxyProcess.start(JAR, LocalS3.freePort(), List.of(FRONTEND));
    LocalStack.createBucket(s3.endpoint(), LocalS3.BUCKET, LocalS3.REGION);
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
  }

  @AfterAll
  static void stop() {
    s3.close();
    issuer.close();
  }

  static Map<String, String> env(S3ProxyProcess s3) {
    Map<String, String> env = TestGateway.env(issuer, s3.endpoint());
    env.put("CORS_ALLOWED_ORIGINS", FRONTEND);
    return env;
  }

  static List<Check> doctor(Map<String, String> env, AwsCredentialsProvider chain, Clock clock) {
    return new Doctor(env, chain, clock).run();
  }

  static List<Check> doctor(Map<String, String> env) {
    return doctor(env, TestGateway.S3PROXY_CREDENTIALS, Clock.systemUTC());
  }

  static Check line(List<Check> checks, String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " line in " + checks));
  }

  static String text(List<Check> checks) {
    return String.join("\n", checks.stream().map(Check::toText).toList());
  }

  @Test
  void a_right_setup_passes_every_check_and_the_probe_object_is_gone() {
    List<Check> checks = doctor(env(s3));

    assertThat(checks).as(text(checks)).allSatisfy(c -> assertThat(c.status()).isEqualTo(Check.Status.PASS));
    assertThat(checks.stream().map(Check::name)).containsExactly("config", "credentials", "jwt keys", "endpoint",
        "clock", "bucket", "cors", "probe PUT", "probe GET", "probe DELETE");
    assertThat(line(checks, "jwt keys").detail()).contains("1 usable key(s)");
    assertThat(line(checks, "cors").detail()).contains(FRONTEND).contains("[PUT, POST, GET, DELETE]")
        .contains("ETag exposed");
    assertThat(line(checks, "probe GET").detail()).contains("read back the same");
    assertThat(line(checks, "probe DELETE").detail()).startsWith("204, deleted " + BrowserChecks.PROBE_PREFIX);
  }

  @Test
  void the_probe_put_signs_and_sends_the_configured_encryption_and_cors_is_checked_for_its_header() {
    Map<String, String> env = env(s3);
    env.put("S3_SSE", "AES256");
    List<Check> checks = doctor(env);

    assertThat(checks).as(text(checks)).allSatisfy(c -> assertThat(c.status()).isEqualTo(Check.Status.PASS));
    assertThat(line(checks, "probe PUT").detail()).contains("x-amz-server-side-encryption")
        .endsWith("(S3_SSE=AES256)");
    assertThat(line(checks, "cors").detail()).contains("x-amz-server-side-encryption");
  }

  @Test
  void a_wrong_secret_is_the_signature_row() {
    AwsCredentialsProvider wrong = StaticCredentialsProvider.create(
        AwsBasicCredentials.create(S3ProxyProcess.IDENTITY, "not-the-secret"));
    List<Check> checks = doctor(env(s3), wrong, Clock.systemUTC());

    Check put = line(checks, "probe PUT");
    assertThat(put.status()).as(text(checks)).isEqualTo(Check.Status.FAIL);
    assertThat(put.detail()).startsWith("403 SignatureDoesNotMatch");
    assertThat(put.row()).isEqualTo(SeedRow.SIGNATURE);
    assertThat(put.toText()).contains("seed row: 403 SignatureDoesNotMatch")
        .contains("the signing secret does not match the access key");
    assertThat(line(checks, "bucket").status()).as("HeadBucket's 403 has no body to tell why")
        .isEqualTo(Check.Status.SKIP);
    assertThat(checks.stream().filter(Check::failed).map(Check::name)).as("one diagnosis").containsExactly("probe PUT");
    assertThat(text(checks)).doesNotContain("not-the-secret").doesNotContain("X-Amz-Signature");
  }

  @Test
  void an_origin_the_bucket_cors_does_not_allow_is_the_cors_row() {
    Map<String, String> env = env(s3);
    env.put("CORS_ALLOWED_ORIGINS", "http://127.0.0.1:3000");
    List<Check> checks = doctor(env);

    Check cors = line(checks, "cors");
    assertThat(cors.status()).as(text(checks)).isEqualTo(Check.Status.FAIL);
    assertThat(cors.detail()).isEqualTo("http://127.0.0.1:3000 PUT, POST, GET, DELETE refused (403)");
    assertThat(cors.row()).isEqualTo(SeedRow.CORS);
    assertThat(line(checks, "probe PUT").status()).as("curl-like requests still work").isEqualTo(Check.Status.PASS);
  }

  @Test
  void bucket_cors_without_etag_exposed_is_the_cors_row() {
    try (S3ProxyProcess noEtag = S3ProxyProcess.start(JAR, "127.0.0.1", LocalS3.freePort(), List.of(FRONTEND),
        "x-amz-request-id")) {
      LocalStack.createBucket(noEtag.endpoint(), LocalS3.BUCKET, LocalS3.REGION);
      List<Check> checks = doctor(env(noEtag));

      Check cors = line(checks, "cors");
      assertThat(cors.status()).as(text(checks)).isEqualTo(Check.Status.FAIL);
      assertThat(cors.detail()).startsWith("ETag is not exposed");
      assertThat(cors.row()).isEqualTo(SeedRow.CORS);
    }
  }

  @Test
  void a_clock_ten_minutes_behind_is_the_clock_row() {
    Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10));
    List<Check> checks = doctor(env(s3), TestGateway.S3PROXY_CREDENTIALS, behind);

    Check clock = line(checks, "clock");
    assertThat(clock.status()).as(text(checks)).isEqualTo(Check.Status.FAIL);
    assertThat(clock.detail()).matches("the gateway's clock is (599|600|601) s behind S3's Date \\(limit 60 s\\)");
    assertThat(clock.row()).isEqualTo(SeedRow.EXPIRY);
    // And what that does: a 300 s URL signed ten minutes in the past has expired when it reaches S3.
    assertThat(line(checks, "probe PUT").row()).as(text(checks)).isEqualTo(SeedRow.EXPIRY);
  }

  @Test
  void a_wrong_region_is_the_endpoint_row() {
    Map<String, String> env = env(s3);
    env.put("AWS_REGION", "eu-west-1");
    List<Check> checks = doctor(env);

    Check bucket = line(checks, "bucket");
    assertThat(bucket.status()).as(text(checks)).isEqualTo(Check.Status.FAIL);
    assertThat(bucket.detail()).isEqualTo(LocalS3.BUCKET + " is in us-east-1, but AWS_REGION=eu-west-1: URLs are"
        + " signed for the wrong region");
    assertThat(bucket.row()).isEqualTo(SeedRow.ENDPOINT);
  }

  @Test
  void an_endpoint_that_is_not_s3_is_the_endpoint_row() {
    try (StaticSite site = StaticSite.start(Map.of())) {
      Map<String, String> env = env(s3);
      env.put("S3_ENDPOINT", site.origin());
      List<Check> checks = doctor(env);

      Check endpoint = line(checks, "endpoint");
      assertThat(endpoint.status()).as(text(checks)).isEqualTo(Check.Status.FAIL);
      assertThat(endpoint.detail()).isEqualTo(site.origin() + " does not speak the S3 API (answer 404 without"
          + " x-amz-request-id)");
      assertThat(endpoint.row()).isEqualTo(SeedRow.ENDPOINT);
      assertThat(line(checks, "probe PUT").detail()).isEqualTo("skipped: the endpoint is not S3");
    }
  }

  @Test
  void a_missing_bucket_says_so() {
    Map<String, String> env = env(s3);
    env.put("S3_BUCKET", "no-such-bucket");
    List<Check> checks = doctor(env);

    Check bucket = line(checks, "bucket");
    assertThat(bucket.status()).as(text(checks)).isEqualTo(Check.Status.FAIL);
    assertThat(bucket.detail()).isEqualTo("no-such-bucket does not exist at " + s3.endpoint() + " (HeadBucket 404)");
    assertThat(bucket.toText()).contains("create the bucket or fix S3_BUCKET");
  }

  @Test
  void an_unreachable_jwks_is_the_jwt_keys_line() {
    Map<String, String> env = env(s3);
    env.put("JWT_JWKS_URL", "http://127.0.0.1:9/jwks.json");
    env.put("JWKS_TIMEOUT_MS", "500");
    List<Check> checks = doctor(env);

    Check keys = line(checks, "jwt keys");
    assertThat(keys.status()).as(text(checks)).isEqualTo(Check.Status.FAIL);
    assertThat(keys.detail()).startsWith("cannot load JWKS http://127.0.0.1:9/jwks.json: ");
    assertThat(line(checks, "probe PUT").status()).as("S3 is checked all the same").isEqualTo(Check.Status.PASS);
  }

  @Test
  void an_invalid_configuration_is_reported_and_nothing_else_is_tried() {
    Map<String, String> env = env(s3);
    env.put("S3_SSE", "rot13");
    List<Check> checks = doctor(env);

    assertThat(checks).hasSize(1);
    assertThat(checks.get(0).toText()).startsWith("FAIL  config").contains("S3_SSE=rot13 must be none, AES256 or aws:kms");
  }

  /** The packaged command: exit status, --json, and no secret or presigned URL in what it prints. */
  @Test
  void the_jar_command_exits_0_when_healthy_and_1_with_the_diagnosis_when_not() throws Exception {
    Map<String, String> env = env(s3);
    env.put("AWS_ACCESS_KEY_ID", S3ProxyProcess.IDENTITY);
    env.put("AWS_SECRET_ACCESS_KEY", S3ProxyProcess.CREDENTIAL);
    Result healthy = runJar(env, "--json");
    assertThat(healthy.exit).as(healthy.out + healthy.err).isZero();
    assertThat(new JsonObject(healthy.out).getBoolean("ok")).isTrue();

    env.put("AWS_SECRET_ACCESS_KEY", "wrong-secret-value");
    Result broken = runJar(env);
    assertThat(broken.exit).as(broken.out).isEqualTo(1);
    assertThat(broken.out).contains("FAIL  probe PUT     403 SignatureDoesNotMatch")
        .contains("seed row: 403 SignatureDoesNotMatch").contains("checks failed");
    for (Result r : List.of(healthy, broken)) {
      assertThat(r.out + r.err).doesNotContain(S3ProxyProcess.CREDENTIAL).doesNotContain("wrong-secret-value")
          .doesNotContain("X-Amz-Signature").doesNotContain("X-Amz-Credential");
    }
  }

  /** {@code out}: stdout (the report); {@code err}: stderr (a JVM's own warnings, e.g. Java 25's native access). */
  record Result(int exit, String out, String err) {}

  static Result runJar(Map<String, String> env, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-jar", System.getProperty("gateway.jar"),
        "doctor"));
    command.addAll(List.of(args));
    File err = File.createTempFile("doctor", ".stderr");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectError(err);
      pb.environment().clear();
      pb.environment().putAll(env);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      return new Result(p.exitValue(), out, Files.readString(err.toPath()));
    } finally {
      err.delete();
    }
  }
}
