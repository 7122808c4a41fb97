package dev.presign.gateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.policy.UploadRequest;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a presign request body: one JSON object whose known members are {@code filename}, {@code contentType},
 * {@code size}, {@code checksumSha256} and {@code prefix}. Strict: nothing after the object, no member twice;
 * unknown members are skipped, and null counts as absent.
 *
 * <p>A body in the plain shape almost every client sends — only known members, strings of printable ASCII without
 * escapes, a small whole number, {@code null} — is read by a short scan (Jackson's parser setup costs more than
 * reading such a body). The scan gives up at the first thing it does not handle itself and leaves the body to
 * Jackson, which decides every other body, valid or not; what the scan reads, Jackson reads the same
 * (PresignBodyTest).
 */
public final class PresignBody {
  /** Duplicate members are errors: one body must not read as two different requests. */
  static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final String[] MEMBERS = {"filename", "contentType", "size", "checksumSha256", "prefix"};
  private static final int FILENAME = 0;
  private static final int CONTENT_TYPE = 1;
  private static final int SIZE = 2;
  private static final int CHECKSUM = 3;
  private static final int PREFIX = 4;
  /** Whole numbers of at most this many digits cannot overflow a long. */
  private static final int MAX_DIGITS = 18;

  private PresignBody() {}

  /** The request a body asks for, or a {@link PolicyException} saying what is wrong with it (a 400). */
  public static UploadRequest parse(Buffer buffer) {
    if (buffer == null || buffer.length() == 0) {
      throw PolicyException.invalid("body", "the request body must be a JSON object");
    }
    return parse(buffer.getBytes());
  }

  /** The same for a body, or one file of a batch, as bytes. */
  public static UploadRequest parse(byte[] bytes) {
    Object[] fields = plain(bytes);
    if (fields == null) {
      fields = jackson(bytes);
    }
    String filename = (String) fields[FILENAME];
    if (filename == null) {
      throw PolicyException.invalid("filename", "filename is required");
    }
    if (filename.isBlank()) {
      throw PolicyException.invalid("filename", "filename must not be empty");
    }
    return new UploadRequest(filename, (String) fields[CONTENT_TYPE], (Long) fields[SIZE], (String) fields[CHECKSUM],
        (String) fields[PREFIX]);
  }

  /**
   * The files of a batch body {@code {"files":[{…}, …]}}, each as its own bytes for {@link #parse(byte[])}, so that
   * every file is read exactly as a single presign body is and decided on its own; an element that is not an
   * object is null. Other members are skipped. A body that is not such an object, or lists no file or more than
   * {@code max}, is a {@link PolicyException} for the whole request.
   */
  public static List<byte[]> files(Buffer buffer, int max) {
    if (buffer == null || buffer.length() == 0) {
      throw PolicyException.invalid("body", "the request body must be a JSON object");
    }
    byte[] bytes = buffer.getBytes();
    List<byte[]> files = null;
    try (JsonParser p = JSON.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw PolicyException.invalid("body", "the request body must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (!field.equals("files")) {
          p.skipChildren();
          continue;
        }
        if (value != JsonToken.START_ARRAY) {
          throw PolicyException.invalid("files", "files must be an array of file objects");
        }
        files = new ArrayList<>();
        for (JsonToken element; (element = p.nextToken()) != JsonToken.END_ARRAY; ) {
          if (files.size() == max) {
            throw PolicyException.invalid("files", "a batch lists at most " + max + " files");
          }
          if (element == JsonToken.START_OBJECT) {
            int from = (int) p.currentTokenLocation().getByteOffset();
            p.skipChildren();
            files.add(Arrays.copyOfRange(bytes, from, (int) p.currentLocation().getByteOffset()));
          } else {
            p.skipChildren();
            files.add(null);
          }
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw PolicyException.invalid("body", "the request body is not valid JSON");
      }
    } catch (IOException e) {
      throw PolicyException.invalid("body", "the request body is not valid JSON");
    }
    if (files == null || files.isEmpty()) {
      throw PolicyException.invalid("files", "files must list at least one file");
    }
    return files;
  }

  /** The members' values in {@link #MEMBERS} order, or null when the body is not in the plain shape. */
  static Object[] plain(byte[] b) {
    Object[] fields = new Object[MEMBERS.length];
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
      int member = member(b, i + 1, nameEnd);
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
      } else if (member == SIZE) {
        int end = numberEnd(b, i);
        if (end < 0) {
          return null;
        }
        fields[SIZE] = wholeNumber(b, i, end);
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

  private static int member(byte[] b, int from, int to) {
    for (int m = 0; m < MEMBERS.length; m++) {
      String name = MEMBERS[m];
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
  static Object[] jackson(byte[] bytes) {
    return JsonFields.read(bytes, MEMBERS, 1 << SIZE);
  }
}
