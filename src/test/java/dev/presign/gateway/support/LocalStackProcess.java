package dev.presign.gateway.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The packaged jar's {@code local} stack as a user runs it, on free ports; stopped with SIGTERM. */
public final class LocalStackProcess implements AutoCloseable {
  public final int apiPort = LocalS3.freePort();
  public final int managementPort = LocalS3.freePort();
  public final int s3Port = LocalS3.freePort();
  public final List<String> session;
  private final Process process;

  private LocalStackProcess(Map<String, String> env, List<String> jvmArgs) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Ds3proxy.jar=" + System.getProperty("s3proxy.jar")));
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", System.getProperty("gateway.jar"), "local"));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("HTTP_PORT", String.valueOf(apiPort));
    pb.environment().put("MANAGEMENT_PORT", String.valueOf(managementPort));
    pb.environment().put("S3_ENDPOINT", s3Endpoint());
    pb.environment().putAll(env);
    process = pb.start();
    try {
      session = readUntil(process, "Ctrl-C stops");
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Starts the stack with {@code env} added to the test's own environment; returns once it printed its session. */
  public static LocalStackProcess start(Map<String, String> env, List<String> jvmArgs) throws Exception {
    return new LocalStackProcess(env, jvmArgs);
  }

  public String api() {
    return "http://127.0.0.1:" + apiPort;
  }

  public String s3Endpoint() {
    return "http://127.0.0.1:" + s3Port;
  }

  /** SIGTERM, as Ctrl-C; true when the stack stopped within 30 s. */
  public boolean stop() throws InterruptedException {
    process.destroy();
    return process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (!stop()) {
      process.destroyForcibly();
    }
  }

  private static List<String> readUntil(Process process, String marker) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    CompletableFuture<List<String>> done = CompletableFuture.supplyAsync(() -> {
      try {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
          if (line.contains(marker)) {
            // Keep reading what the stack logs, so that it never blocks on a full pipe.
            Thread drain = new Thread(() -> {
              try {
                while (in.readLine() != null) {
                  // discard
                }
              } catch (IOException stopped) {
                // the stack is gone
              }
            }, "local-stack-output");
            drain.setDaemon(true);
            drain.start();
            return lines;
          }
        }
        throw new IllegalStateException("stack exited before printing its session:\n" + String.join("\n", lines));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    return done.get(90, TimeUnit.SECONDS);
  }
}
