package dev.presign.gateway.doctor;

import dev.presign.gateway.auth.KeySource;
import dev.presign.gateway.auth.StaticKeys;
import dev.presign.gateway.config.ConfigException;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.signing.CredentialsSnapshot;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * {@code java -jar presign-gateway.jar doctor}: reads the configuration exactly as the server does, resolves the
 * credentials and loads the JWT keys with the server's own classes, then asks S3 what a browser would meet (see
 * {@link S3Checks}). One {@link Check} per line; a failure names the seed's 403 row and the fix. A command-line
 * tool: it blocks its own thread, and the server never runs it. It never prints a secret or a presigned URL.
 */
public final class Doctor {
  private final Map<String, String> env;
  private final AwsCredentialsProvider chain;
  private final Clock clock;

  /** {@code chain}: where the server would get its credentials (the default chain); {@code clock}: its clock. */
  public Doctor(Map<String, String> env, AwsCredentialsProvider chain, Clock clock) {
    this.env = env;
    this.chain = chain;
    this.clock = clock;
  }

  /** Every check, in order; later checks are skipped, and say why, where an earlier one leaves them nothing to do. */
  public List<Check> run() {
    List<Check> checks = new ArrayList<>();
    GatewayConfig config;
    try {
      config = GatewayConfig.fromEnv(env);
    } catch (ConfigException e) {
      checks.add(Check.fail("config", e.getMessage().replace('\n', ' '), null,
          "set the variables named above (README: Configuration); nothing else can be checked until then"));
      return checks;
    }
    checks.add(Check.pass("config", "valid" + (config.devMode() ? " (DEV MODE)" : "") + "; bucket "
        + config.s3().bucket() + " in " + config.s3().region() + ", URLs live " + config.uploads().presignTtl()
        .toSeconds() + " s"));
    Vertx vertx = Vertx.vertx();
    CredentialsSnapshot credentials = new CredentialsSnapshot(vertx, chain, config.s3().credentialsRefresh(), clock);
    try {
      UrlSigner signer = null;
      try {
        credentials.start().await();
        checks.add(Check.pass("credentials", describe(credentials.resolveCredentials())));
        signer = new UrlSigner(config.s3(), config.uploads().presignTtl(), credentials, clock);
      } catch (RuntimeException e) {
        checks.add(Check.fail("credentials", "no AWS credentials from the default chain: " + e.getMessage(), null,
            "give the gateway credentials (IRSA / Pod Identity role, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"));
      }
      checks.add(jwtKeys(vertx, config.jwt(), config.devMode()));
      checks.addAll(new S3Checks(config, signer, credentials, clock).run());
      if (signer != null) {
        signer.close();
      }
    } finally {
      credentials.close();
      vertx.close().await();
    }
    return checks;
  }

  /** Which access key (masked) and how long the credentials last: a URL dies with the session that signed it. */
  private String describe(AwsCredentials c) {
    String id = c.accessKeyId();
    String masked = id.length() >= 12 ? id.substring(0, 4) + "…" + id.substring(id.length() - 4) : "…";
    return "access key " + masked + c.expirationTime()
        .map(t -> ", expire in " + Duration.between(clock.instant(), t).toMinutes() + " min (at " + t
            + "): no URL outlives them")
        .orElse(", long-lived (no expiry)");
  }

  /** The JWT key sources, loaded by the server's KeySource: the JWKS fetched, every key parsed. */
  private static Check jwtKeys(Vertx vertx, GatewayConfig.Jwt jwt, boolean devMode) {
    if (jwt.jwksUrl() == null && jwt.publicKeyFile() == null && jwt.hmacSecret() == null) {
      return devMode ? Check.pass("jwt keys", "dev mode: the gateway's own dev issuer signs and serves its keys")
          : Check.fail("jwt keys", "no key source", null, "set JWT_JWKS_URL, JWT_PUBLIC_KEY_FILE or JWT_HMAC_SECRET");
    }
    List<String> sources = new ArrayList<>();
    KeySource keys = null;
    try {
      List<JsonObject> fileKeys = List.of();
      if (jwt.publicKeyFile() != null) {
        fileKeys = StaticKeys.fromFile(Files.readString(Path.of(jwt.publicKeyFile())), jwt.algorithms());
        sources.add("JWT_PUBLIC_KEY_FILE");
      }
      List<JsonObject> secretKeys = List.of();
      if (jwt.hmacSecret() != null) {
        secretKeys = StaticKeys.fromSecret(jwt.hmacSecret(), jwt.algorithms());
        sources.add("JWT_HMAC_SECRET");
      }
      if (jwt.jwksUrl() != null) {
        sources.add("JWKS " + jwt.jwksUrl());
      }
      keys = new KeySource(vertx, jwt, secretKeys, fileKeys, jwt.jwksUrl());
      keys.start().await();
      return Check.pass("jwt keys", keys.current().keys().size() + " usable key(s) for " + jwt.algorithms()
          + " from " + String.join(", ", sources));
    } catch (Exception e) {
      return Check.fail("jwt keys", "cannot load " + String.join(", ", sources) + ": " + e.getMessage(), null,
          "make the JWKS URL reachable from the gateway, or fix the key file; without a usable key the gateway"
              + " refuses to start");
    } finally {
      if (keys != null) {
        keys.close();
      }
    }
  }
}
