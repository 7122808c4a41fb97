package dev.presign.gateway.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.policy.UploadRequest;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a presign request body: one JSON object whose known members are {@code filename}, {@code contentType},
 * {@code size}, {@code checksumSha256} and {@code prefix}. Strict: nothing after the object, no member twice;
 * unknown members are skipped, and null counts as absent.
 *
 * <p>Read by {@link JsonFields}: a body in the plain shape almost every client sends by a short scan, any other by
 * Jackson; what the scan reads, Jackson reads the same (PresignBodyTest).
 */
public final class PresignBody {
  private static final String[] MEMBERS = {"filename", "contentType", "size", "checksumSha256", "prefix"};
  private static final int FILENAME = 0;
  private static final int CONTENT_TYPE = 1;
  private static final int SIZE = 2;
  private static final int CHECKSUM = 3;
  private static final int PREFIX = 4;

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
    Object[] fields = JsonFields.read(bytes, MEMBERS, 1 << SIZE);
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
    try (JsonParser p = JsonFields.JSON.createParser(bytes)) {
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
    return JsonFields.plain(b, MEMBERS, 1 << SIZE);
  }

  /** Every body, plain or not: one streaming pass (no JSON tree). */
  static Object[] jackson(byte[] bytes) {
    return JsonFields.jackson(bytes, MEMBERS, 1 << SIZE);
  }
}
