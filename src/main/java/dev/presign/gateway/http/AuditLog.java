package dev.presign.gateway.http;

import dev.presign.gateway.metrics.GatewayMetrics.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One structured event per presign decision, on the "audit" logger. It records who asked for which key and
 * what was decided; never the token, the presigned URL, or anything that signs.
 */
final class AuditLog {
  private static final Logger AUDIT = LoggerFactory.getLogger("audit");

  private AuditLog() {}

  /** Called once the answer's status is decided, before it is written. */
  static void decision(PresignHandler.Exchange x, Outcome outcome) {
    LoggingEventBuilder event = AUDIT.atInfo()
        .addKeyValue("event", "presign")
        .addKeyValue("requestId", x.requestId)
        .addKeyValue("operation", "put")
        .addKeyValue("outcome", outcome.label())
        .addKeyValue("status", x.status);
    if (x.caller != null) {
      event = event.addKeyValue("subject", x.caller.subject());
    }
    if (x.key != null) {
      event = event.addKeyValue("key", x.key);
    }
    if (x.upload != null && x.upload.size() != null) {
      event = event.addKeyValue("size", x.upload.size());
    }
    if (x.upload != null && x.upload.contentType() != null) {
      event = event.addKeyValue("contentType", x.upload.contentType());
    }
    if (x.rule != null) {
      event = event.addKeyValue("rule", x.rule);
    }
    if (x.reason != null) {
      event = event.addKeyValue("reason", x.reason);
    }
    event.log(outcome == Outcome.OK ? "presign ok" : "presign " + outcome.label());
  }
}
