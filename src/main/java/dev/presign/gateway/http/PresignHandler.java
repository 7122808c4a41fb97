package dev.presign.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
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
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;

/** POST /api/s3/presign: policy decides the key, the signer signs it, the answer lists what to send. */
final class PresignHandler {
  /** Duplicate members are errors: one body must not read as two different requests. */
  private static final JsonFactory BODY_JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
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
    if (needsEscaping(value)) {
      JSON_STRINGS.quoteAsString(value, json);
    } else {
      json.append(value); // the usual case (a URL, most keys): one copy instead of a character-by-character pass
    }
    json.append('"');
  }

  /** True when JSON needs an escape in {@code value}: a quote, a backslash or a control character. */
  private static boolean needsEscaping(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads the body's fields in one streaming pass (no JSON tree). Strict: one JSON object, nothing after it, no
   * member twice; unknown members are skipped, and null counts as absent.
   */
  static UploadRequest parse(RoutingContext ctx) {
    Buffer buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      throw PolicyException.invalid("body", "the request body must be a JSON object");
    }
    String filename = null;
    String contentType = null;
    Long size = null;
    String checksum = null;
    String prefix = null;
    try (JsonParser p = BODY_JSON.createParser(buffer.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw PolicyException.invalid("body", "the request body must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "filename" -> filename = string(p, value, field);
          case "contentType" -> contentType = string(p, value, field);
          case "size" -> size = wholeNumber(p, value, field);
          case "checksumSha256" -> checksum = string(p, value, field);
          case "prefix" -> prefix = string(p, value, field);
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw PolicyException.invalid("body", "the request body is not valid JSON");
      }
    } catch (IOException e) { // JsonProcessingException included: syntax, duplicate member, trailing data
      throw PolicyException.invalid("body", "the request body is not valid JSON");
    }
    if (filename == null) {
      throw PolicyException.invalid("filename", "filename is required");
    }
    if (filename.isBlank()) {
      throw PolicyException.invalid("filename", "filename must not be empty");
    }
    return new UploadRequest(filename, contentType, size, checksum, prefix);
  }

  private static String string(JsonParser p, JsonToken value, String field) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      p.skipChildren();
      throw PolicyException.invalid(field, field + " must be a string");
    }
    return p.getText();
  }

  private static Long wholeNumber(JsonParser p, JsonToken value, String field) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      return p.getLongValue();
    }
    p.skipChildren();
    throw PolicyException.invalid(field, field + " must be a whole number of bytes");
  }
}
