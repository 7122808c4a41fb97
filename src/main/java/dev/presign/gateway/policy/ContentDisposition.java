package dev.presign.gateway.policy;

import java.nio.charset.StandardCharsets;

/**
 * The {@code Content-Disposition} a download is signed with (S3's {@code response-content-disposition}): always
 * {@code attachment}, so that the browser saves the object instead of rendering it on the bucket's origin, with
 * the file name per RFC 6266: a quoted ASCII {@code filename}, and an RFC 5987 {@code filename*} in UTF-8 when the
 * name is not plain ASCII.
 */
public final class ContentDisposition {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private ContentDisposition() {}

  /** {@code attachment; filename="…"[; filename*=UTF-8''…]} for an already sanitised file name. */
  public static String attachment(String name) {
    StringBuilder ascii = new StringBuilder(name.length());
    boolean plain = true;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '%') {
        // A quoted-string cannot carry it (or, for '%', some browsers would decode it): the fallback says '_'.
        ascii.append('_');
        plain = false;
        if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
          i++;
        }
      } else {
        ascii.append(c);
      }
    }
    StringBuilder out = new StringBuilder(name.length() * 3 + 40).append("attachment; filename=\"").append(ascii)
        .append('"');
    if (!plain) {
      out.append("; filename*=UTF-8''");
      for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
        int c = b & 0xff;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$&+-.^_`|~".indexOf(c) >= 0) {
          out.append((char) c);
        } else {
          out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
        }
      }
    }
    return out.toString();
  }
}
