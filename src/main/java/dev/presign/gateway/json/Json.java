package dev.presign.gateway.json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * JSON text written directly, without a tree: answers and log lines are built in one StringBuilder. The same
 * text a JsonObject would encode (answer tests hold it to that).
 */
public final class Json {
  private static final JsonStringEncoder ESCAPER = JsonStringEncoder.getInstance();

  private Json() {}

  /**
   * Appends {@code value} as a JSON string, quotes included. Text without a quote, backslash or control character
   * (nearly all of it) is copied as it is; only the rest goes through Jackson's escaping.
   */
  public static void string(StringBuilder out, String value) {
    out.append('"');
    if (needsEscaping(value)) {
      ESCAPER.quoteAsString(value, out);
    } else {
      out.append(value);
    }
    out.append('"');
  }

  /** {@code ,"name":"value"} (or {@code "name":"value"} right after an opening brace), null written as null. */
  public static StringBuilder field(StringBuilder out, String name, String value) {
    separate(out);
    string(out, name);
    out.append(':');
    if (value == null) {
      out.append("null");
    } else {
      string(out, value);
    }
    return out;
  }

  /**
   * {@code ,"name":"value"} for a value known to need no escaping (visible ASCII without '"' or '\\', as the
   * signer's URLs are): appended without the scan {@link #field(StringBuilder, String, String)} makes.
   */
  public static StringBuilder plainField(StringBuilder out, String name, String value) {
    separate(out);
    string(out, name);
    return out.append(":\"").append(value).append('"');
  }

  /** {@code ,"name":number}. */
  public static StringBuilder field(StringBuilder out, String name, long value) {
    separate(out);
    string(out, name);
    return out.append(':').append(value);
  }

  /** {@code ,"name":} ready for a value the caller writes (an object, an array). */
  public static StringBuilder name(StringBuilder out, String name) {
    separate(out);
    string(out, name);
    return out.append(':');
  }

  /** A comma unless the last character opened an object or array. */
  private static void separate(StringBuilder out) {
    int n = out.length();
    if (n > 0) {
      char last = out.charAt(n - 1);
      if (last != '{' && last != '[') {
        out.append(',');
      }
    }
  }

  private static boolean needsEscaping(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        return true;
      }
    }
    return false;
  }
}
