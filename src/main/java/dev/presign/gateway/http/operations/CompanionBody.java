package dev.presign.gateway.http.operations;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.PolicyException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bodies of Companion's create and complete calls, read as strictly as every body here: one JSON object, no
 * member twice at any depth (one body must not read as two requests), nothing after it; a wrong member is a 400
 * naming it.
 */
final class CompanionBody {
  private static final JsonFactory STRICT = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private CompanionBody() {}

  static JsonObject object(Buffer body) {
    if (body == null || body.length() == 0) {
      throw PolicyException.invalid("body", "the request body must be a JSON object");
    }
    byte[] bytes = body.getBytes();
    try (JsonParser p = STRICT.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw PolicyException.invalid("body", "the request body must be a JSON object");
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        throw PolicyException.invalid("body", "nothing may follow the JSON object");
      }
    } catch (IOException e) {
      throw PolicyException.invalid("body", "the request body is not valid JSON (or names a member twice)");
    }
    try {
      return new JsonObject(body);
    } catch (DecodeException e) {
      throw PolicyException.invalid("body", "the request body is not valid JSON");
    }
  }

  /** A string member, or null when absent or null; anything else is a 400. */
  static String string(JsonObject body, String name) {
    Object value = body.getValue(name);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw PolicyException.invalid(name, name + " must be a string");
  }

  /**
   * Complete's {@code {parts:[{PartNumber, ETag}, …]}}: part number → ETag as Uppy sends it, each part named once,
   * at most S3's 10,000.
   */
  static Map<Integer, String> parts(Buffer body) {
    Object value = object(body).getValue("parts");
    if (!(value instanceof JsonArray list) || list.isEmpty()) {
      throw PolicyException.invalid("parts", "parts must be a non-empty array of {PartNumber, ETag}");
    }
    if (list.size() > 10_000) {
      throw PolicyException.invalid("parts", "parts must name at most 10000 parts");
    }
    Map<Integer, String> parts = new LinkedHashMap<>();
    for (Object item : list) {
      if (!(item instanceof JsonObject part) || !(part.getValue("PartNumber") instanceof Number n)
          || !(n instanceof Integer || n instanceof Long) || !(part.getValue("ETag") instanceof String etag)
          || etag.isEmpty()) {
        throw PolicyException.invalid("parts", "each part must be {PartNumber: 1 to 10000, ETag: the part's ETag}");
      }
      int number = KeyPolicy.checkPartNumber(n.longValue());
      if (parts.put(number, etag) != null) {
        throw PolicyException.invalid("parts", "part " + number + " is named twice");
      }
    }
    return parts;
  }
}
