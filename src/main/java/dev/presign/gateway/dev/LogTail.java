package dev.presign.gateway.dev;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/** The last lines of a child process's output, read by a daemon thread, so the output needs no file. */
final class LogTail {
  private static final int LINES = 40;
  private final Deque<String> lines = new ArrayDeque<>();

  private LogTail() {}

  static LogTail follow(InputStream output) {
    LogTail tail = new LogTail();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          tail.add(line);
        }
      } catch (IOException closed) {
        // the process ended
      }
    }, "s3proxy-log");
    reader.setDaemon(true);
    reader.start();
    return tail;
  }

  private synchronized void add(String line) {
    if (lines.size() == LINES) {
      lines.removeFirst();
    }
    lines.addLast(line);
  }

  @Override
  public synchronized String toString() {
    return lines.isEmpty() ? "(nothing)" : String.join("\n", lines);
  }
}
