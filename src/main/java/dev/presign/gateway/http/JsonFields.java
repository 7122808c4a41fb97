package dev.presign.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.presign.gateway.policy.PolicyException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A request body that is one JSON object of known members, each a string or a whole number: read by a short scan
 * when it has the plain shape clients send, else in one streaming Jackson pass (no tree). Strict: nothing after the object, no member twice (one body must not read as two
 * different requests); unknown members are skipped, and null counts as absent. What is wrong is a
 * {@link PolicyException} naming the field (a 400).
 */
public final class JsonFields {
  /** Duplicate members are errors: one body must not read as two different requests. */
  static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  /** Whole numbers of at most this many digits cannot overflow a long. */
  private static final int MAX_DIGITS = 18;

  private JsonFields() {}

  /** The values of {@code names} in their order (String, or Long where bit i of {@code numbers} is set). */
  public static Object[] read(Buffer body, String[] names, int numbers) {
    if (body == null || body.length() == 0) {
      throw PolicyException.invalid("body", "the request body must be a JSON object");
    }
    return read(body.getBytes(), names, numbers);
  }

  static Object[] read(byte[] bytes, String[] names, int numbers) {
    Object[] plain = plain(bytes, names, numbers);
    return plain != null ? plain : jackson(bytes, names, numbers);
  }

  /**
   * The values of {@code names} read by a short scan, or null when the body is not in the plain shape almost every
   * client sends: only known members, strings of printable ASCII without escapes, small whole numbers where a
   * number is expected, null. Jackson's parser setup costs more than reading such a body; the scan gives up at the
   * first thing it does not handle itself and leaves the body to Jackson, which decides every other body, valid or
   * not. What the scan reads, Jackson reads the same (PresignBodyTest).
   */
  static Object[] plain(byte[] b, String[] names, int numbers) {
    Object[] fields = new Object[names.length];
    int seen = 0;
    int i = skipSpace(b, 0);
    if (i == b.length || b[i] != '{') {
      return null;
    }
    i = skipSpace(b, i + 1);
    while (true) {
      if (i == b.length || b[i] != '"') {
        return null; // also "{}" and a trailing comma: Jackson says what is wrong
      }
      int nameEnd = stringEnd(b, i + 1);
      if (nameEnd < 0) {
        return null;
      }
      int member = member(names, b, i + 1, nameEnd);
      if (member < 0 || (seen & 1 << member) != 0) {
        return null;
      }
      seen |= 1 << member;
      i = skipSpace(b, nameEnd + 1);
      if (i == b.length || b[i] != ':') {
        return null;
      }
      i = skipSpace(b, i + 1);
      if (i == b.length) {
        return null;
      }
      if (b[i] == 'n') {
        if (i + 4 > b.length || b[i + 1] != 'u' || b[i + 2] != 'l' || b[i + 3] != 'l') {
          return null;
        }
        i += 4;
      } else if ((numbers & 1 << member) != 0) {
        int end = numberEnd(b, i);
        if (end < 0) {
          return null;
        }
        fields[member] = wholeNumber(b, i, end);
        i = end;
      } else {
        if (b[i] != '"') {
          return null;
        }
        int end = stringEnd(b, i + 1);
        if (end < 0) {
          return null;
        }
        fields[member] = new String(b, i + 1, end - i - 1, StandardCharsets.ISO_8859_1); // ASCII
        i = end + 1;
      }
      // A value must end at a separator: "nullx" or "12a" is Jackson's to refuse.
      i = skipSpace(b, i);
      if (i == b.length) {
        return null;
      }
      if (b[i] == ',') {
        i = skipSpace(b, i + 1);
      } else if (b[i] == '}') {
        return skipSpace(b, i + 1) == b.length ? fields : null;
      } else {
        return null;
      }
    }
  }

  private static int skipSpace(byte[] b, int i) {
    while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
      i++;
    }
    return i;
  }

  /** Index of the closing quote of a string of printable ASCII without escapes that starts at {@code i}, or -1. */
  private static int stringEnd(byte[] b, int i) {
    for (; i < b.length; i++) {
      byte c = b[i];
      if (c == '"') {
        return i;
      }
      if (c < 0x20 || c > 0x7e || c == '\\') {
        return -1; // control, non-ASCII (UTF-8 to validate) or escape: Jackson's
      }
    }
    return -1;
  }

  /** End of a whole number {@code -?(0|[1-9][0-9]*)} of at most {@link #MAX_DIGITS} digits at {@code i}, or -1. */
  private static int numberEnd(byte[] b, int i) {
    int start = b[i] == '-' ? i + 1 : i;
    int end = start;
    while (end < b.length && b[end] >= '0' && b[end] <= '9') {
      end++;
    }
    int digits = end - start;
    if (digits == 0 || digits > MAX_DIGITS || (digits > 1 && b[start] == '0')) {
      return -1;
    }
    if (end < b.length && (b[end] == '.' || b[end] == 'e' || b[end] == 'E')) {
      return -1; // a fraction or exponent: Jackson's
    }
    return end;
  }

  private static long wholeNumber(byte[] b, int from, int to) {
    boolean negative = b[from] == '-';
    long value = 0;
    for (int k = negative ? from + 1 : from; k < to; k++) {
      value = value * 10 + (b[k] - '0');
    }
    return negative ? -value : value;
  }

  private static int member(String[] names, byte[] b, int from, int to) {
    for (int m = 0; m < names.length; m++) {
      String name = names[m];
      if (name.length() == to - from && name.charAt(0) == b[from] && matches(name, b, from)) {
        return m;
      }
    }
    return -1;
  }

  private static boolean matches(String name, byte[] b, int from) {
    for (int k = 1; k < name.length(); k++) {
      if (name.charAt(k) != b[from + k]) {
        return false;
      }
    }
    return true;
  }

  /** Every body, plain or not: one streaming pass (no JSON tree). */
  static Object[] jackson(byte[] bytes, String[] names, int numbers) {
    Object[] values = new Object[names.length];
    try (JsonParser p = JSON.createParser(bytes)) {
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
