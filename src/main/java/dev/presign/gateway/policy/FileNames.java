package dev.presign.gateway.policy;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.regex.Pattern;

/** Turns a client-supplied file name into one safe S3 key segment. */
public final class FileNames {
  /** Longest name kept, in UTF-8 bytes (the common file-system limit, far below S3's 1024 for the whole key). */
  public static final int MAX_NAME_BYTES = 255;
  private static final Pattern SPACES = Pattern.compile(" {2,}");
  private static final Pattern LEADING_DOTS = Pattern.compile("^[. ]+");

  private FileNames() {}

  /**
   * NFC-normalises, keeps only the last path part, drops control and format characters, collapses whitespace,
   * and shortens to {@link #MAX_NAME_BYTES} keeping the extension. Throws if nothing usable is left.
   */
  public static String sanitize(String raw) {
    if (raw == null) {
      throw PolicyException.invalid("filename", "filename is required");
    }
    return isPlain(raw) ? raw : sanitizeFully(raw);
  }

  /**
   * True when sanitising would return the name unchanged, decided in one pass without allocating: printable
   * ASCII without '/' or '\\', single inner spaces only, no leading dot, and short enough. Most names are.
   */
  static boolean isPlain(String raw) {
    int n = raw.length();
    if (n == 0 || n > MAX_NAME_BYTES || raw.charAt(0) == '.' || raw.charAt(0) == ' ' || raw.charAt(n - 1) == ' ') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = raw.charAt(i);
      if (c < ' ' || c > '~' || c == '/' || c == '\\' || (c == ' ' && raw.charAt(i - 1) == ' ')) {
        return false;
      }
    }
    return true;
  }

  static String sanitizeFully(String raw) {
    String name = Normalizer.normalize(raw, Normalizer.Form.NFC);
    int cut = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    name = name.substring(cut + 1);
    StringBuilder out = new StringBuilder(name.length());
    name.codePoints().forEach(cp -> {
      int type = Character.getType(cp);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        out.appendCodePoint(' ');
      } else if (type != Character.CONTROL && type != Character.FORMAT && type != Character.SURROGATE
          && type != Character.PRIVATE_USE && type != Character.UNASSIGNED) {
        out.appendCodePoint(cp);
      }
    });
    name = SPACES.matcher(out).replaceAll(" ").strip();
    // Leading dots make hidden files and "." / ".." segments; they carry no meaning in an upload name. Spaces go
    // with them, or ". .." would come out as "..".
    name = LEADING_DOTS.matcher(name).replaceFirst("");
    if (name.isEmpty()) {
      throw PolicyException.invalid("filename",
          "filename has no usable characters after removing path parts, control characters and leading dots");
    }
    return Normalizer.normalize(truncate(name), Normalizer.Form.NFC);
  }

  private static String truncate(String name) {
    if (utf8Length(name) <= MAX_NAME_BYTES) {
      return name;
    }
    int dot = name.lastIndexOf('.');
    String ext = dot > 0 && name.length() - dot <= 16 ? name.substring(dot) : "";
    String base = ext.isEmpty() ? name : name.substring(0, dot);
    int budget = MAX_NAME_BYTES - utf8Length(ext);
    StringBuilder kept = new StringBuilder();
    int used = 0;
    for (int i = 0; i < base.length(); ) {
      int cp = base.codePointAt(i);
      int len = utf8Length(new String(Character.toChars(cp)));
      if (used + len > budget) {
        break;
      }
      kept.appendCodePoint(cp);
      used += len;
      i += Character.charCount(cp);
    }
    return kept.toString().strip() + ext;
  }

  /** Bytes of {@code s} in UTF-8, counted without encoding (a lone surrogate counts 1, as it encodes to '?'). */
  public static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes += 1;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
