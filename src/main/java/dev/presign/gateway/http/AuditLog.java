package dev.presign.gateway.http;

import ch.qos.logback.classic.Logger;
import dev.presign.gateway.logging.StructuredEvent;
import dev.presign.gateway.metrics.GatewayMetrics.Outcome;
import dev.presign.gateway.policy.UploadRequest;
import org.slf4j.LoggerFactory;

/**
 * One structured event per presign decision, on the "audit" logger. It records who asked for which key and
 * what was decided; never the token, the presigned URL, or anything that signs.
 */
final class AuditLog {
  /** logback's own logger (the project's slf4j binding): events go straight to its appenders. */
  private static final Logger AUDIT = (Logger) LoggerFactory.getLogger("audit");

  private AuditLog() {}

  /** Called once the answer's status is decided, before it is written. */
  static void decision(PresignHandler.Exchange x, Outcome outcome) {
    UploadRequest upload = x.upload;
    StructuredEvent.info(AUDIT, outcome == Outcome.OK ? "presign ok" : "presign " + outcome.label(),
        "event", "presign",
        "requestId", x.requestId,
        "operation", "put",
        "outcome", outcome.label(),
        "status", x.status,
        "subject", x.caller == null ? null : x.caller.subject(),
        "key", x.key,
        "size", upload == null ? null : upload.size(),
        "contentType", upload == null ? null : upload.contentType(),
        "rule", x.rule,
        "reason", x.reason);
  }
}
