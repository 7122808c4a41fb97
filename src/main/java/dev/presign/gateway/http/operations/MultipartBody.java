package dev.presign.gateway.http.operations;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.presign.gateway.http.Call;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.PolicyException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of a multipart call: one JSON object with some of {@code filename, contentType, size, key, uploadId,
 * partNumbers}. Strict as every body here (no member twice, nothing after the object; unknown members skipped,
 * null is absent); a wrong member is a 400 naming it. {@code partNumbers} is an array of whole numbers.
 */
record MultipartBody(String filename, String contentType, Long size, String key, String uploadId,
                     List<Integer> partNumbers) {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  static MultipartBody read(Buffer body) {
    if (body == null || body.length() == 0) {
      throw PolicyException.invalid("body", "the request body must be a JSON object");
    }
    String filename = null;
    String contentType = null;
    Long size = null;
    String key = null;
    String uploadId = null;
    List<Integer> parts = null;
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw PolicyException.invalid("body", "the request body must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (name) {
          case "filename" -> filename = string(p, name);
          case "contentType" -> contentType = string(p, name);
          case "key" -> key = string(p, name);
          case "uploadId" -> uploadId = string(p, name);
          case "size" -> size = number(p, name);
          case "partNumbers" -> parts = partNumbers(p);
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw PolicyException.invalid("body", "nothing may follow the JSON object");
      }
    } catch (IOException e) {
      throw PolicyException.invalid("body", "the request body is not valid JSON (or names a member twice)");
    }
    return new MultipartBody(filename, contentType, size, key, uploadId, parts);
  }

  private static String string(JsonParser p, String name) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw PolicyException.invalid(name, name + " must be a string");
    }
    return p.getText();
  }

  private static Long number(JsonParser p, String name) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw PolicyException.invalid(name, name + " must be a whole number of bytes");
    }
    return p.getLongValue();
  }

  private static List<Integer> partNumbers(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw PolicyException.invalid("partNumbers", "partNumbers must be an array of part numbers (1 to 10000)");
    }
    List<Integer> parts = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        throw PolicyException.invalid("partNumbers", "partNumbers must hold whole numbers, each 1 to 10000");
      }
      if (parts.size() >= MultipartSignParts.MAX_PARTS_PER_CALL) {
        throw PolicyException.invalid("partNumbers", "partNumbers must be at most "
            + MultipartSignParts.MAX_PARTS_PER_CALL + " part numbers, each 1 to 10000");
      }
      long n = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? -1 : p.getLongValue();
      parts.add(KeyPolicy.checkPartNumber(n));
    }
    return parts;
  }

  /** An upload the caller names: its key under the caller's prefixes, its id well formed, and the key audited. */
  record Existing(MultipartBody body, String key, String uploadId) {}

  static Existing existing(Call call, KeyPolicy policy) {
    MultipartBody body = read(call.body());
    String key = policy.writableKey(call.caller(), body.key());
    String uploadId = body.requireUploadId();
    call.audit(key, null, null);
    return new Existing(body, key, uploadId);
  }

  /** The upload id, checked for shape. */
  String requireUploadId() {
    if (uploadId == null) {
      throw PolicyException.invalid("uploadId", "uploadId is required: the id the create call answered");
    }
    return KeyPolicy.checkUploadId(uploadId);
  }
}
