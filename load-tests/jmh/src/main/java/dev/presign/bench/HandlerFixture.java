package dev.presign.bench;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.auth.KeySource;
import dev.presign.gateway.auth.TokenVerifier;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.metrics.GatewayMetrics;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * What a presign needs besides HTTP, built as the gateway builds it (the local stack's configuration), the same on
 * both sides of a before/after comparison: the API it uses is common to the baseline and the current gateway.
 */
final class HandlerFixture implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final GatewayConfig config;
  final TokenVerifier verifier;
  final KeyPolicy policy;
  final UrlSigner signer;
  final GatewayMetrics metrics = new GatewayMetrics(GatewayMetrics.newRegistry());
  final String authorization;

  /** {@code jwtCache} "on": the default verified-token cache; "off": JWT_CACHE_SIZE=0, every signature checked. */
  HandlerFixture(String alg, String jwtCache, Map<String, String> env) {
    Keys keys = Keys.generate(alg);
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("JWT_ALGORITHMS", alg);
    if (jwtCache.equals("off")) {
      all.put("JWT_CACHE_SIZE", "0");
    }
    config = Fixtures.config(all);
    KeySource keySource = new KeySource(vertx, config.jwt(), List.of(), List.of(keys.verifyJwk()), null);
    keySource.start().await();
    verifier = new TokenVerifier(vertx, keySource, config.jwt(), Clock.systemUTC());
    policy = new KeyPolicy(config.uploads());
    signer = new UrlSigner(config.s3(), config.uploads().presignTtl(), Fixtures.credentials(vertx), Clock.systemUTC());
    authorization = "Bearer " + keys.token(vertx, "alice");
  }

  /** The caller the token names, as the pipeline gets it: TokenVerifier completes on the calling thread. */
  Caller verify() {
    var verified = verifier.verify(authorization);
    if (!verified.succeeded()) {
      throw new IllegalStateException("token refused: " + verified.cause(), verified.cause());
    }
    return verified.result();
  }

  @Override
  public void close() {
    signer.close();
    vertx.close().await();
  }
}
