package dev.presign.gateway.http;

import dev.presign.gateway.auth.Caller;
import io.vertx.core.buffer.Buffer;

/** What an {@link Operation} sees of its exchange: who asks, what they sent, and what the audit event records. */
public interface Call {
  /** The verified caller. */
  Caller caller();

  /** The request body as received (bounded by the pipeline); null when there is none. */
  Buffer body();

  /** A query parameter of the request (decoded; the first when named twice), or null. For GET endpoints. */
  default String param(String name) {
    return null;
  }

  /** The request's path as sent (not decoded): where an endpoint's path carries parameters. */
  default String path() {
    return null;
  }

  /** Records what the audit event names: the key decided on, and the size and content type asked for. */
  void audit(String key, Long size, String contentType);

  /**
   * Records one item of a request that decides several (a batch's files): its own audit event, with its key or
   * the problem that refused it (null when granted).
   */
  void auditItem(int index, String key, Long size, String contentType, ProblemException refusal);

  /**
   * Charges {@code permits} more requests to the caller's rate limit (the pipeline charged one already): a batch
   * of n files costs n, all or none. Throws the 429 problem (and gives the first permit back) when they do not fit.
   */
  void charge(int permits);
}
