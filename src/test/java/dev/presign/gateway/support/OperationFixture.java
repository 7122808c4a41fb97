package dev.presign.gateway.support;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.ProblemException;
import dev.presign.gateway.metrics.GatewayMetrics;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.signing.CredentialsSnapshot;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What operations need, built as the gateway builds it but without HTTP: configuration from an environment, the
 * key policy, a signer on warm credentials. Operations are then called with a {@link FakeCall}.
 */
public final class OperationFixture implements AutoCloseable {
  public final GatewayConfig config;
  public final KeyPolicy policy;
  public final UrlSigner signer;
  public final GatewayMetrics metrics = new GatewayMetrics(GatewayMetrics.newRegistry());
  private final Vertx vertx = Vertx.vertx();
  private final CredentialsSnapshot credentials;

  public OperationFixture(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("GATEWAY_DEV_MODE", "true");
    env.put("S3_ENDPOINT", "http://127.0.0.1:9");
    env.put("S3_PATH_STYLE", "true");
    env.put("S3_BUCKET", LocalS3.BUCKET);
    env.put("AWS_REGION", LocalS3.REGION);
    env.putAll(overrides);
    config = GatewayConfig.fromEnv(env);
    policy = new KeyPolicy(config.uploads());
    credentials = new CredentialsSnapshot(vertx, TestGateway.S3PROXY_CREDENTIALS, Duration.ofMinutes(5),
        Clock.systemUTC());
    credentials.start().await();
    signer = new UrlSigner(config.s3(), config.uploads().presignTtl(), credentials, Clock.systemUTC());
  }

  @Override
  public void close() {
    signer.close();
    credentials.close();
    vertx.close().await();
  }

  /** A call from {@code subject} with {@code body}; records what the operation audits and charges. */
  public static final class FakeCall implements Call {
    public final Caller caller;
    public final Buffer body;
    public final List<Object[]> items = new ArrayList<>();
    public String key;
    public Long size;
    public String contentType;
    public int charged;

    public FakeCall(String subject, String body) {
      this.caller = new Caller(subject, List.of());
      this.body = body == null ? null : Buffer.buffer(body);
    }

    @Override
    public Caller caller() {
      return caller;
    }

    @Override
    public Buffer body() {
      return body;
    }

    @Override
    public void audit(String key, Long size, String contentType) {
      this.key = key;
      this.size = size;
      this.contentType = contentType;
    }

    @Override
    public void auditItem(int index, String key, Long size, String contentType, ProblemException refusal) {
      items.add(new Object[] {index, key, refusal == null ? 200 : refusal.status()});
    }

    @Override
    public void charge(int permits) {
      charged += permits;
    }
  }
}
