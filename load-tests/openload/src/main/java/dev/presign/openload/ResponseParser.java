package dev.presign.openload;

import java.nio.ByteBuffer;

/**
 * Reads one HTTP/1.x response at a time from the bytes a connection receives, without allocating: the status line,
 * the head's {@code Content-Length}, {@code Transfer-Encoding: chunked} and {@code Connection: close}, then the body
 * by its length or chunk by chunk (extensions and trailers skipped). Bytes are read into {@link #buffer()}; after
 * each read, {@link #parse()} says whether the response is complete. One response in flight per connection: bytes
 * past the end of a response are not expected and are dropped. Heads over 16 KiB are refused.
 */
final class ResponseParser {
  static final int BUFFER_BYTES = 16384;

  private final ByteBuffer in;
  private int scanned;
  private int status;
  /** Content-Length body bytes still to come. */
  private long bodyLeft;
  private boolean chunked;
  private boolean closeAfter;
  /** 0 size line, 1 data, 2 CRLF after data, 3 trailers. */
  private int chunkState;
  private long chunkLeft;

  ResponseParser() {
    this(ByteBuffer.allocateDirect(BUFFER_BYTES));
  }

  ResponseParser(ByteBuffer buffer) {
    this.in = buffer;
    reset();
  }

  /** Where the next bytes of the response go (a channel's read target). */
  ByteBuffer buffer() {
    return in;
  }

  /** Ready for a new response. */
  void reset() {
    in.clear();
    scanned = 0;
    status = 0;
    bodyLeft = -1;
    chunked = false;
    closeAfter = false;
    chunkState = 0;
    chunkLeft = 0;
  }

  /** Whether the server closes the connection after this response (Connection: close, or HTTP/1.0). */
  boolean closeAfter() {
    return closeAfter;
  }

  /** The status once the whole response is in, 0 while incomplete, -1 when it is not HTTP/1.x. */
  int parse() {
    if (status == 0) {
      int end = headEnd();
      if (end < 0) {
        if (!in.hasRemaining()) {
          return -1; // a head over 16 KiB
        }
        return 0;
      }
      if (end < 12 || in.get(0) != 'H' || in.get(1) != 'T' || in.get(2) != 'T' || in.get(3) != 'P'
          || in.get(4) != '/' || in.get(5) != '1' || !digit(9) || !digit(10) || !digit(11)) {
        return -1;
      }
      status = (in.get(9) - '0') * 100 + (in.get(10) - '0') * 10 + (in.get(11) - '0');
      long length = -1;
      int line = lineStart(0);
      while (line < end - 2) {
        int next = lineStart(line);
        if (startsWith(line, "content-length:")) {
          length = number(line + 15, next);
        } else if (startsWith(line, "transfer-encoding:") && contains(line, next, "chunked")) {
          chunked = true;
        } else if (startsWith(line, "connection:") && contains(line, next, "close")) {
          closeAfter = true;
        }
        line = next;
      }
      if (in.get(7) == '0') {
        closeAfter = true; // HTTP/1.0
      }
      int have = in.position() - end;
      if (chunked) {
        bodyLeft = 0;
        return chunkBytes(end, in.position());
      }
      bodyLeft = Math.max(0, (length < 0 ? 0 : length) - have);
      in.clear();
    } else if (chunked) {
      return chunkBytes(0, in.position());
    } else {
      bodyLeft -= in.position();
      in.clear();
    }
    return bodyLeft <= 0 ? status : 0;
  }

  private boolean digit(int at) {
    byte b = in.get(at);
    return b >= '0' && b <= '9';
  }

  private int headEnd() {
    int limit = in.position();
    for (int i = Math.max(3, scanned); i < limit; i++) {
      if (in.get(i) == '\n' && in.get(i - 1) == '\r' && in.get(i - 2) == '\n' && in.get(i - 3) == '\r') {
        return i + 1;
      }
    }
    scanned = limit;
    return -1;
  }

  private int lineStart(int from) {
    int limit = in.position();
    for (int i = from; i < limit; i++) {
      if (in.get(i) == '\n') {
        return i + 1;
      }
    }
    return limit;
  }

  /** ASCII case-insensitive: lower holds only lower-case letters, '-' and ':', which | 0x20 leaves alone. */
  private boolean startsWith(int at, String lower) {
    if (at + lower.length() > in.position()) {
      return false;
    }
    for (int i = 0; i < lower.length(); i++) {
      if ((in.get(at + i) | 0x20) != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private boolean contains(int from, int to, String lower) {
    outer:
    for (int i = from; i + lower.length() <= to; i++) {
      for (int j = 0; j < lower.length(); j++) {
        if ((in.get(i + j) | 0x20) != lower.charAt(j)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private long number(int from, int to) {
    long v = 0;
    for (int i = from; i < to; i++) {
      byte b = in.get(i);
      if (b >= '0' && b <= '9') {
        v = v * 10 + (b - '0');
      }
    }
    return v;
  }

  /** Consumes chunked body bytes [from, to); the status when the last chunk and trailers are in, else 0. */
  private int chunkBytes(int from, int to) {
    int i = from;
    while (i < to) {
      switch (chunkState) {
        case 0, 3 -> { // a size line, or a trailer line: up to its LF
          int lf = -1;
          for (int j = i; j < to; j++) {
            if (in.get(j) == '\n') {
              lf = j;
              break;
            }
          }
          if (lf < 0) {
            compact(i, to); // keep the partial line at the start of the buffer
            return 0;
          }
          if (chunkState == 0) {
            long size = 0;
            for (int j = i; j < lf; j++) {
              int d = Character.digit(in.get(j), 16);
              if (d < 0) {
                break; // ";extension" or the CR
              }
              size = size * 16 + d;
            }
            chunkLeft = size;
            chunkState = size == 0 ? 3 : 1;
          } else if (lf - i <= 1) { // empty line: the end of the trailers
            in.clear();
            return status;
          }
          i = lf + 1;
        }
        case 1 -> {
          long take = Math.min(chunkLeft, to - i);
          chunkLeft -= take;
          i += (int) take;
          if (chunkLeft == 0) {
            chunkState = 2;
            chunkLeft = 2;
          }
        }
        default -> { // CRLF after a chunk's data
          long take = Math.min(chunkLeft, to - i);
          chunkLeft -= take;
          i += (int) take;
          if (chunkLeft == 0) {
            chunkState = 0;
          }
        }
      }
    }
    in.clear();
    return 0;
  }

  private void compact(int from, int to) {
    for (int j = from; j < to; j++) {
      in.put(j - from, in.get(j));
    }
    in.position(to - from);
  }
}
