package dev.presign.gateway.io;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A message body read chunk by chunk up to a limit: the API's request bodies and the JWKS fetch's response. The
 * first chunk is kept as it is (usually it is the whole body); from a second one on, chunks go into a buffer of
 * its own that grows by doubling, so many tiny chunks never cost a copy of everything so far each.
 */
public final class BoundedBody {
  private final long limit;
  private Buffer body;
  private boolean owned;

  public BoundedBody(long limit) {
    this.limit = limit;
  }

  /** Adds {@code chunk}; false (and nothing added) when the body would then be larger than the limit. */
  public boolean append(Buffer chunk) {
    int length = body == null ? 0 : body.length();
    if (length + (long) chunk.length() > limit) {
      return false;
    }
    if (body == null) {
      body = chunk;
    } else {
      if (!owned) {
        body = Buffer.buffer((int) Math.min(limit, 2L * (length + chunk.length()))).appendBuffer(body);
        owned = true;
      }
      body.appendBuffer(chunk);
    }
    return true;
  }

  /** What was read; null when nothing was. */
  public Buffer buffer() {
    return body;
  }

  /** Drops what was read (an answered request keeps no body). */
  public void clear() {
    body = null;
    owned = false;
  }

  public long limit() {
    return limit;
  }

  /**
   * Reads {@code stream} to its end; fails as soon as it passes {@code limit} (declared length or not), after
   * calling {@code tooLarge} (which should stop the stream: reset the request, close the connection).
   */
  public static Future<Buffer> read(ReadStream<Buffer> stream, long limit, Runnable tooLarge) {
    Promise<Buffer> promise = Promise.promise();
    BoundedBody body = new BoundedBody(limit);
    stream.handler(chunk -> {
      if (!promise.future().isComplete() && !body.append(chunk)) {
        promise.tryFail("the body is larger than " + limit + " bytes");
        tooLarge.run();
      }
    });
    stream.exceptionHandler(promise::tryFail);
    stream.endHandler(v -> promise.tryComplete(body.buffer() == null ? Buffer.buffer() : body.buffer()));
    return promise.future();
  }
}
