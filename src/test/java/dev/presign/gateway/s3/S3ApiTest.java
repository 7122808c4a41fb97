package dev.presign.gateway.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Where the SDK's synchronous part of an S3 call runs: never on the event loop that asks. */
class S3ApiTest {
  @Test
  void a_call_made_on_an_event_loop_runs_the_sdks_part_on_the_gateways_own_thread_and_answers_on_that_loop()
      throws Exception {
    GatewayConfig config = GatewayConfig.fromEnv(Map.of("S3_BUCKET", "uploads", "AWS_REGION", "eu-west-1",
        "S3_ENDPOINT", "http://127.0.0.1:9", "JWT_HMAC_SECRET", "s3-api-test-secret-0123456789abcdef",
        "JWT_ISSUER", "test", "JWT_AUDIENCE", "test"));
    Vertx vertx = Vertx.vertx();
    try (S3Api s3 = S3Api.startBuilding(config, StaticCredentialsProvider.create(AwsBasicCredentials.create("a",
        "b")), new GatewayMetrics(GatewayMetrics.newRegistry()), Runnable::run)) {
      CountDownLatch callReturned = new CountDownLatch(1);
      AtomicReference<String> sdkThread = new AtomicReference<>();
      AtomicReference<String> answerThread = new AtomicReference<>();
      AtomicReference<String> loopThread = new AtomicReference<>();
      CompletableFuture<String> answer = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        loopThread.set(Thread.currentThread().getName());
        s3.<String>call("test_action", client -> {
          sdkThread.set(Thread.currentThread().getName());
          try {
            // The SDK's own work before sending: if it ran on the caller, the caller could not return meanwhile.
            return CompletableFuture.completedFuture(callReturned.await(5, TimeUnit.SECONDS) ? "made off the loop"
                : "made on the caller's thread");
          } catch (InterruptedException e) {
            return CompletableFuture.failedFuture(e);
          }
        }).onComplete(ar -> {
          answerThread.set(Thread.currentThread().getName());
          answer.complete(ar.succeeded() ? ar.result() : String.valueOf(ar.cause()));
        });
        callReturned.countDown();
      });
      assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo("made off the loop");
      assertThat(sdkThread.get()).isEqualTo("presign-s3-calls");
      assertThat(answerThread.get()).isEqualTo(loopThread.get()).startsWith("vert.x-eventloop-thread-");
    } finally {
      vertx.close().await();
    }
  }
}
