package dev.presign.gateway.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.metrics.GatewayMetrics;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.policy.UploadRequest;
import dev.presign.gateway.signing.PresignedUpload;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** POST /api/s3/presign: policy decides the key, the signer signs it, the answer lists what to send. */
final class PresignHandler {
  private static final JsonStringEncoder JSON_STRINGS = JsonStringEncoder.getInstance();

  private final KeyPolicy policy;
  private final UrlSigner signer;
  private final GatewayMetrics metrics;

  PresignHandler(KeyPolicy policy, UrlSigner signer, GatewayMetrics metrics) {
    this.policy = policy;
    this.signer = signer;
    this.metrics = metrics;
  }

  void presign(RoutingContext ctx) {
    Caller caller = ctx.get(ApiVerticle.CALLER);
    UploadRequest request = parse(ctx);
    ctx.put(AuditLog.SIZE, request.size());
    ctx.put(AuditLog.CONTENT_TYPE, request.contentType());
    UploadPlan plan = policy.plan(caller, request);
    ctx.put(AuditLog.KEY, plan.key());
    long start = System.nanoTime();
    PresignedUpload upload = signer.presignPut(plan);
    metrics.signing(System.nanoTime() - start);
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, ApiVerticle.APPLICATION_JSON).end(answer(upload));
  }

  /**
   * {@code {"key":…,"uploadUrl":…,"method":"PUT","headers":{…},"expiresAt":…}}, written directly (no JSON tree):
   * the same text a JsonObject would encode.
   */
  static String answer(PresignedUpload upload) {
    StringBuilder json = new StringBuilder(upload.url().length() + upload.key().length() + 256);
    json.append("{\"key\":");
    string(json, upload.key());
    json.append(",\"uploadUrl\":");
    string(json, upload.url());
    json.append(",\"method\":\"PUT\",\"headers\":{");
    int start = json.length();
    upload.forEachHeader((name, value) -> {
      if (json.length() > start) {
        json.append(',');
      }
      string(json, name);
      json.append(':');
      string(json, value);
    });
    json.append("},\"expiresAt\":\"").append(upload.expiresAt()).append("\"}");
    return json.toString();
  }

  private static void string(StringBuilder json, String value) {
    json.append('"');
    JSON_STRINGS.quoteAsString(value, json);
    json.append('"');
  }

  static UploadRequest parse(RoutingContext ctx) {
    JsonObject body = jsonBody(ctx);
    return new UploadRequest(
        string(body, "filename", true),
        string(body, "contentType", false),
        wholeNumber(body, "size"),
        string(body, "checksumSha256", false),
        string(body, "prefix", false));
  }

  static JsonObject jsonBody(RoutingContext ctx) {
    Buffer buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      throw PolicyException.invalid("body", "the request body must be a JSON object");
    }
    try {
      Object value = buffer.toJsonValue();
      if (value instanceof JsonObject object) {
        return object;
      }
    } catch (DecodeException e) {
      throw PolicyException.invalid("body", "the request body is not valid JSON");
    }
    throw PolicyException.invalid("body", "the request body must be a JSON object");
  }

  static String string(JsonObject body, String field, boolean required) {
    Object v = body.getValue(field);
    if (v == null) {
      if (required) {
        throw PolicyException.invalid(field, field + " is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw PolicyException.invalid(field, field + " must be a string");
    }
    if (required && s.isBlank()) {
      throw PolicyException.invalid(field, field + " must not be empty");
    }
    return s;
  }

  static Long wholeNumber(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) {
      return null;
    }
    if (v instanceof Integer || v instanceof Long) {
      return ((Number) v).longValue();
    }
    throw PolicyException.invalid(field, field + " must be a whole number of bytes");
  }
}
