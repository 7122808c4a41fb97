package dev.presign.gateway.signing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * A credentials chain built and asked once right away, on a thread of its own, while the rest of the process starts
 * (logging, metrics, Vert.x, the management port): the first answer is then waiting for {@link CredentialsSnapshot}
 * instead of being started after them. Building the AWS default chain and its first answer took 0.3-0.4 s of a
 * start with the AOT cache (and an STS or Pod Identity call in a cluster). The first {@link #resolveCredentials}
 * returns that answer (or throws its failure); every later one asks the chain again. It may block: call it where
 * the snapshot does, on a worker.
 */
public final class EarlyCredentials implements AwsCredentialsProvider {
  private final CompletableFuture<AwsCredentialsProvider> chain = new CompletableFuture<>();
  private final CompletableFuture<AwsCredentials> first = new CompletableFuture<>();
  private final AtomicBoolean firstTaken = new AtomicBoolean();

  private EarlyCredentials() {}

  /** {@link #ask} of the AWS default credentials chain: what the gateway signs with outside tests. */
  public static EarlyCredentials askDefaultChain() {
    return ask(() -> DefaultCredentialsProvider.builder().build());
  }

  /** Starts building {@code chain} and asking it, and returns at once. */
  public static EarlyCredentials ask(Supplier<AwsCredentialsProvider> chain) {
    EarlyCredentials early = new EarlyCredentials();
    Thread thread = new Thread(() -> {
      try {
        AwsCredentialsProvider built = chain.get();
        early.chain.complete(built);
        early.first.complete(built.resolveCredentials());
      } catch (RuntimeException | Error e) {
        early.chain.completeExceptionally(e);
        early.first.completeExceptionally(e);
      }
    }, "presign-credentials");
    thread.setDaemon(true);
    thread.start();
    return early;
  }

  @Override
  public AwsCredentials resolveCredentials() {
    try {
      if (firstTaken.compareAndSet(false, true)) {
        return first.join();
      }
      return chain.join().resolveCredentials();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }
}
