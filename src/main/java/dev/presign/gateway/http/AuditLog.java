package dev.presign.gateway.http;

import ch.qos.logback.classic.Logger;
import dev.presign.gateway.logging.StructuredEvent;
import dev.presign.gateway.metrics.GatewayMetrics.Outcome;
import org.slf4j.LoggerFactory;

/**
 * One structured event per API decision, on the "audit" logger. It records who asked for which key through which
 * operation, and what was decided; never the token, the presigned URL, or anything that signs.
 */
final class AuditLog {
  /** logback's own logger (the project's slf4j binding): events go straight to its appenders. */
  private static final Logger AUDIT = (Logger) LoggerFactory.getLogger("audit");

  private AuditLog() {}

  /** Called once the answer's status is decided, before it is written. */
  static void decision(Pipeline.Exchange x, Outcome outcome) {
    StructuredEvent.info(AUDIT, outcome == Outcome.OK ? "presign ok" : "presign " + outcome.label(),
        "event", "presign",
        "requestId", x.requestId,
        "operation", x.endpoint.operation(),
        "outcome", outcome.label(),
        "status", x.status,
        "subject", x.caller == null ? null : x.caller.subject(),
        "key", x.key,
        "size", x.size,
        "contentType", x.contentType,
        "rule", x.rule,
        "reason", x.reason);
  }

  /** One item of a request that decides several (a file of a batch), under the request's id and operation. */
  static void item(Pipeline.Exchange x, int index, String key, Long size, String contentType, ProblemException refusal) {
    Outcome outcome = Outcome.ofStatus(refusal == null ? 200 : refusal.status());
    StructuredEvent.info(AUDIT, outcome == Outcome.OK ? "presign item ok" : "presign item " + outcome.label(),
        "event", "presign-item",
        "requestId", x.requestId,
        "operation", x.endpoint.operation(),
        "item", index,
        "outcome", outcome.label(),
        "status", refusal == null ? 200 : refusal.status(),
        "subject", x.caller == null ? null : x.caller.subject(),
        "key", key,
        "size", size,
        "contentType", contentType,
        "rule", refusal == null ? null : refusal.extensions().getString("rule"),
        "reason", refusal == null ? null : refusal.getMessage());
  }
}
