package dev.presign.bench;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.signing.CredentialsSnapshot;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The gateway's configuration and credentials as the local stack has them, so figures compare with bench.sh's. */
final class Fixtures {
  private Fixtures() {}

  static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(
      AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));

  /** Read through GatewayConfig.fromEnv, as the gateway reads it, with the `local` stack's defaults. */
  static GatewayConfig config(Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "GATEWAY_DEV_MODE", "true",
        "S3_ENDPOINT", "http://127.0.0.1:9000",
        "S3_PATH_STYLE", "true",
        "S3_BUCKET", "dev-bucket",
        "AWS_REGION", "us-east-1"));
    env.putAll(extra);
    return GatewayConfig.fromEnv(env);
  }

  /** A started snapshot already holding the static credentials: presigning reads it and never blocks. */
  static CredentialsSnapshot credentials(Vertx vertx) {
    CredentialsSnapshot snapshot = new CredentialsSnapshot(vertx, CREDENTIALS, Duration.ofMinutes(5), Clock.systemUTC());
    snapshot.start().await();
    return snapshot;
  }
}
