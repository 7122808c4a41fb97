package dev.presign.gateway.http;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.metrics.GatewayMetrics.Outcome;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One structured event per presign decision, on the "audit" logger. It records who asked for which key and
 * what was decided; never the token, the presigned URL, or anything that signs.
 */
final class AuditLog {
  private static final Logger AUDIT = LoggerFactory.getLogger("audit");
  static final String KEY = "audit.key";
  static final String SIZE = "audit.size";
  static final String CONTENT_TYPE = "audit.contentType";
  static final String RULE = "audit.rule";
  static final String REASON = "audit.reason";

  private AuditLog() {}

  /** Called once the response status is known. */
  static void decision(RoutingContext ctx, String operation, Outcome outcome) {
    Caller caller = ctx.get(ApiVerticle.CALLER);
    LoggingEventBuilder event = AUDIT.atInfo()
        .addKeyValue("event", "presign")
        .addKeyValue("requestId", (String) ctx.get(ApiVerticle.REQUEST_ID))
        .addKeyValue("operation", operation)
        .addKeyValue("outcome", outcome.name().toLowerCase())
        .addKeyValue("status", ctx.response().getStatusCode());
    if (caller != null) {
      event = event.addKeyValue("subject", caller.subject());
    }
    for (String field : new String[] {KEY, SIZE, CONTENT_TYPE, RULE, REASON}) {
      Object value = ctx.get(field);
      if (value != null) {
        event = event.addKeyValue(field.substring("audit.".length()), value);
      }
    }
    event.log("presign " + outcome.name().toLowerCase());
  }
}
