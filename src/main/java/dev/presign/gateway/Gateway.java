package dev.presign.gateway;

import dev.presign.gateway.auth.KeySource;
import dev.presign.gateway.auth.StaticKeys;
import dev.presign.gateway.auth.TokenVerifier;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.dev.DevIssuer;
import dev.presign.gateway.http.ApiVerticle;
import dev.presign.gateway.http.ManagementRoutes;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.signing.CredentialsSnapshot;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * Builds and starts the whole gateway on a Vertx: management port first (so probes answer while it warms up),
 * then signing keys and credentials, loaded off the event loops, then the API verticles.
 */
public final class Gateway {
  private final Vertx vertx;
  private final GatewayConfig config;
  private final Clock clock;
  private final AwsCredentialsProvider chain;
  private final AtomicInteger apiPort = new AtomicInteger();
  private HttpServer management;
  private KeySource keys;
  private CredentialsSnapshot credentials;
  private UrlSigner signer;
  private DevIssuer devIssuer;
  private String deploymentId;
  private volatile boolean started;

  public Gateway(Vertx vertx, GatewayConfig config, Clock clock, AwsCredentialsProvider chain) {
    this.vertx = vertx;
    this.config = config;
    this.clock = clock;
    this.chain = chain;
  }

  /** Starts with the AWS default credentials chain. */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    return new Gateway(vertx, config, Clock.systemUTC(), DefaultCredentialsProvider.builder().build()).start();
  }

  public Future<Gateway> start() {
    Future<DevIssuer> issuer = config.devMode()
        ? vertx.executeBlocking(() -> new DevIssuer(config.jwt(), clock))
        : Future.succeededFuture(null);
    return issuer
        .compose(i -> {
          devIssuer = i;
          return vertx.createHttpServer()
              .requestHandler(ManagementRoutes.create(vertx, this::notReadyReason, devIssuer))
              .listen(config.http().managementPort(), "0.0.0.0");
        })
        .compose(server -> {
          management = server;
          return fileKeys();
        })
        .compose(fileKeys -> {
          List<JsonObject> secretKeys = config.jwt().hmacSecret() == null ? List.of()
              : StaticKeys.fromSecret(config.jwt().hmacSecret(), config.jwt().algorithms());
          keys = new KeySource(vertx, config.jwt(), secretKeys, fileKeys, jwksUrl());
          credentials = new CredentialsSnapshot(vertx, chain, config.s3().credentialsRefresh(), clock);
          return Future.all(
              keys.start(),
              credentials.start().recover(e -> Future.failedFuture(new IllegalStateException(
                  "no AWS credentials from the default chain: " + e.getMessage(), e))));
        })
        .compose(v -> {
          // Building the SDK presigner loads hundreds of classes: a worker's job, not an event loop's.
          return vertx.executeBlocking(() -> {
            signer = new UrlSigner(config.s3(), config.uploads().presignTtl(), credentials, clock);
            signer.warmUp();
            new TokenVerifier(vertx, keys, config.jwt(), clock).warmUp();
            return null;
          });
        })
        .compose(v -> {
          ApiVerticle.Deps deps = new ApiVerticle.Deps(config, keys, new KeyPolicy(config.uploads()), signer,
              devIssuer, clock, apiPort::set);
          return vertx.deployVerticle(() -> new ApiVerticle(deps),
              new DeploymentOptions().setInstances(config.http().instances()));
        })
        .map(id -> {
          deploymentId = id;
          started = true;
          return this;
        })
        .recover(e -> stop().transform(x -> Future.failedFuture(e)));
  }

  private Future<List<JsonObject>> fileKeys() {
    GatewayConfig.Jwt jwt = config.jwt();
    if (jwt.publicKeyFile() == null) {
      return Future.succeededFuture(List.of());
    }
    return vertx.fileSystem().readFile(jwt.publicKeyFile())
        .map(buffer -> StaticKeys.fromFile(buffer.toString(), jwt.algorithms()));
  }

  private URI jwksUrl() {
    if (config.jwt().jwksUrl() != null) {
      return config.jwt().jwksUrl();
    }
    return devIssuer == null ? null : URI.create("http://127.0.0.1:" + management.actualPort() + "/dev/jwks.json");
  }

  /** Null when ready to serve presigns; otherwise the reason. */
  public String notReadyReason() {
    if (!started) {
      return "starting";
    }
    if (keys.current().isEmpty()) {
      return "no JWT verification keys";
    }
    if (!credentials.isUsable()) {
      return "AWS credentials missing or about to expire";
    }
    return null;
  }

  public int apiPort() {
    return apiPort.get();
  }

  public int managementPort() {
    return management.actualPort();
  }

  public KeySource keys() {
    return keys;
  }

  public DevIssuer devIssuer() {
    return devIssuer;
  }

  public Future<Void> stop() {
    started = false;
    Future<Void> undeploy = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    return undeploy.eventually(() -> {
      if (keys != null) {
        keys.close();
      }
      if (credentials != null) {
        credentials.close();
      }
      if (signer != null) {
        signer.close();
      }
      return management == null ? Future.succeededFuture() : management.close();
    });
  }
}
