package dev.presign.gateway.http;

import dev.presign.gateway.auth.Caller;
import io.vertx.core.buffer.Buffer;

/** What an {@link Operation} sees of its exchange: who asks, what they sent, and what the audit event records. */
public interface Call {
  /** The verified caller. */
  Caller caller();

  /** The request body as received (bounded by the pipeline); null when there is none. */
  Buffer body();

  /** Records what the audit event names: the key decided on, and the size and content type asked for. */
  void audit(String key, Long size, String contentType);

  /**
   * Charges {@code permits} more requests to the caller's rate limit (the pipeline charged one already): a batch
   * of n files costs n. Throws the 429 problem when the caller is over its limit.
   */
  void charge(int permits);
}
