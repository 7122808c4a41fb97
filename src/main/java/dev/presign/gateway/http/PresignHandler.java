package dev.presign.gateway.http;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.auth.TokenVerifier;
import dev.presign.gateway.logging.JsonLayout;
import dev.presign.gateway.logging.Timestamps;
import dev.presign.gateway.metrics.GatewayMetrics;
import dev.presign.gateway.metrics.GatewayMetrics.Outcome;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.policy.UploadRequest;
import dev.presign.gateway.signing.PresignedUpload;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * POST /api/s3/presign, the whole exchange in one handler: tag the answer, read the body (bounded), check method
 * and media type, verify the token, apply the caller's rate limit, let the policy decide the key, sign it, answer.
 * Every answer it gives is counted and audited exactly once, whichever step gave it.
 *
 * <p>One instance per API verticle, confined to its event loop: requests come straight from the HTTP server, or
 * through the router when a browser request needs CORS. In-flight exchanges sit in a list in arrival order, which
 * with one timeout for all is deadline order; a periodic sweep answers 408 to those past their deadline (no timer
 * per request).
 */
public final class PresignHandler {
  static final String PATH = "/api/s3/presign";

  private final TokenVerifier verifier;
  private final RateLimiter rateLimiter;
  private final KeyPolicy policy;
  private final UrlSigner signer;
  private final GatewayMetrics metrics;
  private final long bodyLimit;
  private final long timeoutNanos;
  /** Sentinel of the circular in-flight list; its neighbours are the oldest and the newest exchange. */
  private final Exchange inFlight = new Exchange();

  PresignHandler(TokenVerifier verifier, RateLimiter rateLimiter, KeyPolicy policy, UrlSigner signer,
                 GatewayMetrics metrics, long bodyLimit, Duration timeout) {
    this.verifier = verifier;
    this.rateLimiter = rateLimiter;
    this.policy = policy;
    this.signer = signer;
    this.metrics = metrics;
    this.bodyLimit = bodyLimit;
    this.timeoutNanos = timeout.toNanos();
  }

  /** Takes over {@code request} and its response; {@code requestId} is the id the answer will carry. */
  void handle(HttpServerRequest request, String requestId) {
    Exchange x = new Exchange(request, requestId);
    request.response().putHeader(ApiVerticle.X_REQUEST_ID, requestId)
        .putHeader(HttpHeaders.CACHE_CONTROL, ApiVerticle.NO_STORE);
    try {
      String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
      if (length != null && declaredTooLarge(length)) {
        x.refuse(tooLarge());
        return;
      }
      String expect = request.getHeader(HttpHeaders.EXPECT);
      if (expect != null) {
        if (!expect.equalsIgnoreCase("100-continue")) {
          x.refuse(new ProblemException(417, "Expectation Failed", "only 'Expect: 100-continue' is supported"));
          return;
        }
        if (request.version() != HttpVersion.HTTP_1_0) {
          request.response().writeContinue();
        }
      }
      x.deadline = System.nanoTime() + timeoutNanos;
      x.linkBefore(inFlight);
      if (request.isEnded()) {
        x.bodyReceived(null);
      } else {
        request.handler(x::chunk).endHandler(x::bodyReceived).exceptionHandler(x::broken).resume();
      }
    } catch (RuntimeException e) {
      x.refuse(e);
    }
  }

  /** Answers 408 to every exchange past its deadline; called periodically on this handler's event loop. */
  void expire(long nowNanos) {
    Exchange oldest;
    while ((oldest = inFlight.next) != inFlight && oldest.deadline - nowNanos <= 0) {
      oldest.refuse(new ProblemException(408, "Request Timeout",
          "the request was not received and answered within " + timeoutNanos / 1_000_000 + " ms"));
    }
  }

  private ProblemException tooLarge() {
    return new ProblemException(413, "Content Too Large",
        "the request body is larger than this gateway accepts (" + bodyLimit + " bytes)");
  }

  private boolean declaredTooLarge(String contentLength) {
    try {
      return Long.parseLong(contentLength.trim()) > bodyLimit;
    } catch (NumberFormatException e) {
      return false; // Netty rejects a malformed Content-Length before it gets here
    }
  }

  /** One request and what the audit event says about it; its fields are only touched on the event loop. */
  final class Exchange {
    private final HttpServerRequest request;
    final String requestId;
    private long deadline;
    private Exchange prev = this;
    private Exchange next = this;
    private Buffer body;
    private boolean bodyOwned;
    private boolean answered;
    Caller caller;
    UploadRequest upload;
    String key;
    String rule;
    String reason;
    int status;

    private Exchange() { // the list's sentinel
      this.request = null;
      this.requestId = null;
    }

    private Exchange(HttpServerRequest request, String requestId) {
      this.request = request;
      this.requestId = requestId;
    }

    private void linkBefore(Exchange sentinel) {
      prev = sentinel.prev;
      next = sentinel;
      sentinel.prev.next = this;
      sentinel.prev = this;
    }

    private void unlink() {
      prev.next = next;
      next.prev = prev;
      prev = this;
      next = this;
    }

    private void chunk(Buffer data) {
      if (answered) {
        return;
      }
      if ((body == null ? 0 : body.length()) + (long) data.length() > bodyLimit) {
        refuse(tooLarge());
        return;
      }
      // Usually the whole body is one chunk: kept as it is. From a second one on, chunks go into a buffer of our
      // own that grows by doubling (many tiny chunks must not cost a copy of everything so far each).
      if (body == null) {
        body = data;
        return;
      }
      if (!bodyOwned) {
        body = Buffer.buffer((int) Math.min(bodyLimit, 2L * (body.length() + data.length()))).appendBuffer(body);
        bodyOwned = true;
      }
      body.appendBuffer(data);
    }

    private void broken(Throwable failure) {
      // The client went away (or sent something undecodable) before the body ended: nobody to answer.
      answered = true;
      unlink();
    }

    private void bodyReceived(Void ended) {
      if (answered) {
        return;
      }
      try {
        if (request.method() != HttpMethod.POST) {
          request.response().putHeader(HttpHeaders.ALLOW, "POST");
          refuse(new ProblemException(405, "Method Not Allowed", "use POST for this resource"));
          return;
        }
        ApiVerticle.requireJson(request.getHeader(HttpHeaders.CONTENT_TYPE));
        long start = System.nanoTime();
        verifier.verify(ApiVerticle.authorization(request)).onComplete(ar -> {
          metrics.jwtValidation(System.nanoTime() - start);
          if (answered) {
            return; // timed out while the token's key was being fetched
          }
          if (ar.succeeded()) {
            authenticated(ar.result());
          } else {
            refuse(ar.cause());
          }
        });
      } catch (RuntimeException e) {
        refuse(e);
      }
    }

    private void authenticated(Caller who) {
      try {
        caller = who;
        long waitNanos = rateLimiter.acquire(who.subject());
        if (waitNanos > 0) {
          long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
          request.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
          refuse(new ProblemException(429, "Too Many Requests",
              "rate limit for this caller exceeded; retry after " + seconds + " s"));
          return;
        }
        upload = PresignBody.parse(body);
        UploadPlan plan = policy.plan(who, upload);
        key = plan.key();
        long start = System.nanoTime();
        PresignedUpload signed = signer.presignPut(plan);
        metrics.signing(System.nanoTime() - start);
        String answer = answer(signed);
        decided(200);
        request.response().putHeader(HttpHeaders.CONTENT_TYPE, ApiVerticle.APPLICATION_JSON).end(answer);
      } catch (RuntimeException e) {
        refuse(e);
      }
    }

    /** Answers with the problem {@code failure} stands for (an unexpected one: logged, 500). */
    private void refuse(Throwable failure) {
      if (answered) {
        return;
      }
      ProblemException problem = Problems.toProblem(failure, -1);
      rule = problem.extensions().getString("rule");
      reason = problem.getMessage();
      decided(problem.status());
      Problems.send(request, problem, requestId);
    }

    private void decided(int answerStatus) {
      answered = true;
      unlink();
      status = answerStatus;
      body = null;
      try {
        Outcome outcome = Outcome.ofStatus(answerStatus);
        metrics.outcome(outcome);
        AuditLog.decision(this, outcome);
      } catch (RuntimeException e) {
        // Bookkeeping must never break the answer it describes.
        LoggerFactory.getLogger(PresignHandler.class).error("could not record a presign decision", e);
      }
    }
  }

  /**
   * {@code {"key":…,"uploadUrl":…,"method":"PUT","headers":{…},"expiresAt":…}}, written directly (no JSON tree):
   * the same text a JsonObject would encode.
   */
  public static String answer(PresignedUpload upload) {
    StringBuilder json = new StringBuilder(upload.url().length() + upload.key().length() + 256);
    json.append("{\"key\":");
    JsonLayout.string(json, upload.key());
    json.append(",\"uploadUrl\":");
    JsonLayout.string(json, upload.url());
    json.append(",\"method\":\"PUT\",\"headers\":{");
    int start = json.length();
    upload.forEachHeader((name, value) -> {
      if (json.length() > start) {
        json.append(',');
      }
      JsonLayout.string(json, name);
      json.append(':');
      JsonLayout.string(json, value);
    });
    json.append("},\"expiresAt\":\"");
    Timestamps.append(json, upload.expiresAt());
    json.append("\"}");
    return json.toString();
  }
}
