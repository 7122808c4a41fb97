package dev.presign.gateway.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.presign.gateway.policy.PolicyException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * A request body that is one JSON object of known members, each a string or a whole number, read in one
 * streaming pass (no tree). Strict: nothing after the object, no member twice (one body must not read as two
 * different requests); unknown members are skipped, and null counts as absent. What is wrong is a
 * {@link PolicyException} naming the field (a 400).
 */
public final class JsonFields {
  private JsonFields() {}

  /** The values of {@code names} in their order (String, or Long where bit i of {@code numbers} is set). */
  public static Object[] read(Buffer body, String[] names, int numbers) {
    if (body == null || body.length() == 0) {
      throw PolicyException.invalid("body", "the request body must be a JSON object");
    }
    return read(body.getBytes(), names, numbers);
  }

  static Object[] read(byte[] bytes, String[] names, int numbers) {
    Object[] values = new Object[names.length];
    try (JsonParser p = PresignBody.JSON.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw PolicyException.invalid("body", "the request body must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        int i = indexOf(names, field);
        if (i < 0) {
          p.skipChildren();
        } else if ((numbers & 1 << i) != 0) {
          values[i] = wholeNumber(p, value, field);
        } else {
          values[i] = string(p, value, field);
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw PolicyException.invalid("body", "the request body is not valid JSON");
      }
    } catch (IOException e) { // JsonProcessingException included: syntax, duplicate member, trailing data
      throw PolicyException.invalid("body", "the request body is not valid JSON");
    }
    return values;
  }

  private static int indexOf(String[] names, String field) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(field)) {
        return i;
      }
    }
    return -1;
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
    throw PolicyException.invalid(field, field + (field.equals("size") ? " must be a whole number of bytes"
        : " must be a whole number"));
  }
}
