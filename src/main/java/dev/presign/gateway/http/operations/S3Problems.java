package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.ProblemException;
import dev.presign.gateway.s3.S3Fault;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a failed S3 API call answers: S3 slow → 504, down or throttling → 503, a 5xx or an unexpected refusal → 502;
 * a 404 is the operation's own (the key or upload does not exist). Never the exception's text: S3's error code at
 * most. Refusals the gateway made itself (policy, problems) pass through unchanged.
 */
final class S3Problems {
  private static final Logger LOG = LoggerFactory.getLogger(S3Problems.class);

  private S3Problems() {}

  /** {@code future}, its S3 failure turned into the problem it stands for. */
  static <T> Future<T> answer(Future<T> future, String notFound, Duration timeout) {
    return future.recover(e -> Future.failedFuture(of(e, notFound, timeout)));
  }

  static RuntimeException of(Throwable failure, String notFound, Duration timeout) {
    if (failure instanceof ProblemException || failure instanceof dev.presign.gateway.policy.PolicyException) {
      return (RuntimeException) failure;
    }
    S3Fault fault = S3Fault.of(failure);
    String code = S3Fault.errorCode(failure);
    JsonObject s3 = new JsonObject().put("s3", fault.label());
    if (code != null) {
      s3.put("s3Code", code);
    }
    return switch (fault) {
      case NOT_FOUND -> new ProblemException(404, "Not Found", notFound, s3);
      case TIMEOUT -> new ProblemException(504, "Gateway Timeout",
          "S3 did not answer within " + timeout.toMillis() + " ms; retry shortly", s3);
      case UNREACHABLE -> new ProblemException(503, "Service Unavailable",
          "S3 cannot be reached right now; retry shortly", s3);
      case THROTTLED -> new ProblemException(503, "Service Unavailable",
          "S3 is throttling requests (" + (code == null ? "SlowDown" : code) + "); retry shortly", s3);
      case SERVER_ERROR -> new ProblemException(502, "Bad Gateway",
          "S3 answered with a server error" + (code == null ? "" : " (" + code + ")") + "; retry shortly", s3);
      case CLIENT_ERROR -> new ProblemException(502, "Bad Gateway",
          "S3 refused the gateway's request" + (code == null ? "" : " (" + code + ")")
              + "; check the gateway's permissions on the bucket", s3);
      default -> {
        LOG.error("S3 call failed unexpectedly", failure);
        yield new ProblemException(502, "Bad Gateway", "the S3 call failed; retry shortly", s3);
      }
    };
  }
}
