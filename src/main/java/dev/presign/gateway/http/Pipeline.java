package dev.presign.gateway.http;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.auth.TokenVerifier;
import dev.presign.gateway.metrics.GatewayMetrics;
import dev.presign.gateway.metrics.GatewayMetrics.Outcome;
import dev.presign.gateway.io.BoundedBody;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * The exchange every API endpoint shares, written once: tag the answer, apply CORS, read the body (bounded), check
 * method and media type, verify the token, charge the caller's rate limit, then hand over to the endpoint's
 * {@link Operation} and write what it answers. Every answer it gives is counted and audited exactly once, under
 * the endpoint's operation, whichever step gave it.
 *
 * <p>One instance per API verticle, confined to its event loop. In-flight exchanges sit in a list in arrival
 * order, which with one timeout for all is deadline order; a periodic sweep answers 408 to those past their
 * deadline (no timer per request).
 */
final class Pipeline {
  private final TokenVerifier verifier;
  private final RateLimiter rateLimiter;
  private final GatewayMetrics metrics;
  private final long timeoutNanos;
  /** Null when CORS is off: an Origin header then changes nothing. */
  private final Cors cors;
  /** Sentinel of the circular in-flight list; its neighbours are the oldest and the newest exchange. */
  private final Exchange inFlight = new Exchange();

  Pipeline(TokenVerifier verifier, RateLimiter rateLimiter, GatewayMetrics metrics, Duration timeout, Cors cors) {
    this.verifier = verifier;
    this.rateLimiter = rateLimiter;
    this.metrics = metrics;
    this.timeoutNanos = timeout.toNanos();
    this.cors = cors;
  }

  /** Takes over {@code request} and its response on the way to one answer from {@code endpoint}. */
  void handle(HttpServerRequest request, Endpoint endpoint) {
    String requestId = ApiVerticle.requestId(request);
    Exchange x = new Exchange(request, endpoint, requestId);
    request.response().putHeader(ApiVerticle.X_REQUEST_ID, requestId)
        .putHeader(HttpHeaders.CACHE_CONTROL, ApiVerticle.NO_STORE);
    try {
      if (cors != null) {
        String origin = Cors.origin(request);
        if (origin != null) {
          if (!cors.allows(origin)) {
            x.refuse(Cors.refused(origin));
            return;
          }
          Cors.allow(request.response(), origin);
          if (request.method() == HttpMethod.OPTIONS && request.headers().contains(Cors.REQUEST_METHOD)) {
            // A granted preflight is the browser's protocol, not a request of the API: answered, not counted.
            x.answered = true;
            Cors.preflight(request.response(), endpoint.allow());
            return;
          }
        }
      }
      String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
      // A request with the wrong method gets its 405 once its body (dropped, not kept) has arrived.
      if (length != null && request.method() == endpoint.method() && declaredTooLarge(length, endpoint.bodyLimit())) {
        x.refuse(tooLarge(endpoint.bodyLimit()));
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

  /** Answers 408 to every exchange past its deadline; called periodically on this pipeline's event loop. */
  void expire(long nowNanos) {
    Exchange oldest;
    while ((oldest = inFlight.next) != inFlight && oldest.deadline - nowNanos <= 0) {
      oldest.refuse(new ProblemException(408, "Request Timeout",
          "the request was not received and answered within " + timeoutNanos / 1_000_000 + " ms"));
    }
  }

  private static ProblemException tooLarge(long bodyLimit) {
    return new ProblemException(413, "Content Too Large",
        "the request body is larger than this gateway accepts (" + bodyLimit + " bytes)");
  }

  private static boolean declaredTooLarge(String contentLength, long bodyLimit) {
    try {
      return Long.parseLong(contentLength.trim()) > bodyLimit;
    } catch (NumberFormatException e) {
      return false; // Netty rejects a malformed Content-Length before it gets here
    }
  }

  static ProblemException rateLimited(HttpServerRequest request, long waitNanos) {
    return rateLimited(request, waitNanos, "rate limit for this caller exceeded", "");
  }

  /**
   * A 429 whose {@code Retry-After} (whole seconds, at least 1) covers {@code waitNanos}; the detail is
   * {@code "<reason>; retry after N s<note>"}.
   */
  static ProblemException rateLimited(HttpServerRequest request, long waitNanos, String reason, String note) {
    long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    request.response().putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
    return new ProblemException(429, "Too Many Requests", reason + "; retry after " + seconds + " s" + note);
  }

  /** One request and what the audit event says about it; its fields are only touched on the event loop. */
  final class Exchange implements Call {
    private final HttpServerRequest request;
    final Endpoint endpoint;
    final String requestId;
    private long deadline;
    private Exchange prev = this;
    private Exchange next = this;
    private final BoundedBody body;
    private boolean answered;
    Caller caller;
    String key;
    Long size;
    String contentType;
    String rule;
    String reason;
    int status;

    private Exchange() { // the list's sentinel
      this.request = null;
      this.endpoint = null;
      this.requestId = null;
      this.body = null;
    }

    private Exchange(HttpServerRequest request, Endpoint endpoint, String requestId) {
      this.request = request;
      this.endpoint = endpoint;
      this.requestId = requestId;
      this.body = new BoundedBody(endpoint.bodyLimit());
    }

    @Override
    public Caller caller() {
      return caller;
    }

    @Override
    public Buffer body() {
      return body.buffer();
    }

    @Override
    public String param(String name) {
      try {
        return request.getParam(name);
      } catch (IllegalArgumentException e) {
        // Netty's query decoder refuses a malformed escape ("%ZZ", a trailing '%'): the client's mistake.
        throw new ProblemException(400, "Bad Request", "the query string is not validly percent-encoded",
            new io.vertx.core.json.JsonObject().put("field", "query"));
      }
    }

    @Override
    public String path() {
      return request.path();
    }

    @Override
    public void audit(String key, Long size, String contentType) {
      this.key = key;
      this.size = size;
      this.contentType = contentType;
    }

    @Override
    public void auditItem(int index, String key, Long size, String contentType, ProblemException refusal) {
      try {
        AuditLog.item(this, index, key, size, contentType, refusal);
      } catch (RuntimeException e) {
        LoggerFactory.getLogger(Pipeline.class).error("could not record a decision", e);
      }
    }

    @Override
    public void charge(int permits) {
      if (rateLimiter.enabled() && permits + 1 > rateLimiter.burst()) {
        throw new ProblemException(400, "Bad Request", "this request counts as " + (permits + 1)
            + " against a rate limit whose burst is " + rateLimiter.burst() + " (RATE_LIMIT_BURST): send fewer files",
            new io.vertx.core.json.JsonObject().put("field", "files"));
      }
      long waitNanos = rateLimiter.acquire(caller.subject(), permits);
      if (waitNanos > 0) {
        rateLimiter.refund(caller.subject(), 1); // all or none: the request's first permit goes back too
        throw rateLimited(request, waitNanos + rateLimiter.intervalNanos());
      }
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
      if (!answered && request.method() == endpoint.method() && !body.append(data)) {
        refuse(tooLarge(body.limit()));
      }
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
        if (request.method() != endpoint.method()) {
          request.response().putHeader(HttpHeaders.ALLOW, endpoint.allow());
          refuse(new ProblemException(405, "Method Not Allowed", "use " + endpoint.allow() + " for this resource"));
          return;
        }
        if (endpoint.bodyLimit() > 0) { // a GET or DELETE reads no body, so has no media type
          ApiVerticle.requireJson(request.getHeader(HttpHeaders.CONTENT_TYPE));
        }
        String authorization = ApiVerticle.authorization(request);
        long start = System.nanoTime();
        verifier.verify(authorization, request).onComplete(ar -> {
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
          refuse(rateLimited(request, waitNanos));
          return;
        }
        Object answer = endpoint.handler().answer(this);
        if (answer instanceof String json) {
          answer(json);
        } else {
          @SuppressWarnings("unchecked")
          Future<String> later = (Future<String>) answer;
          later.onComplete(ar -> {
            if (ar.succeeded()) {
              answer(ar.result());
            } else {
              refuse(ar.cause());
            }
          });
        }
      } catch (RuntimeException e) {
        refuse(e);
      }
    }

    private void answer(String json) {
      if (answered) {
        return; // timed out while S3 was being asked
      }
      decided(200);
      request.response().putHeader(HttpHeaders.CONTENT_TYPE, ApiVerticle.APPLICATION_JSON).end(json);
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
      Problems.send(request, problem, requestId, endpoint.messageMember());
    }

    private void decided(int answerStatus) {
      answered = true;
      unlink();
      status = answerStatus;
      body.clear();
      try {
        Outcome outcome = Outcome.ofStatus(answerStatus);
        endpoint.outcomes().count(outcome);
        AuditLog.decision(this, outcome);
      } catch (RuntimeException e) {
        // Bookkeeping must never break the answer it describes.
        LoggerFactory.getLogger(Pipeline.class).error("could not record a decision", e);
      }
    }
  }
}
