package dev.presign.gateway.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the operations tools the tests check the project with (kubectl, promtool). A missing tool fails the test
 * with the command that installs it: these checks must never pass by being skipped.
 */
final class Tools {
  /** The repository root; Surefire runs tests there and says so in {@code basedir}. */
  static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
  /** {@code -Dkubectl=/path/to/kubectl} runs every manifest check with another kubectl (e.g. 1.20, kustomize 2.0.3). */
  static final String KUBECTL = System.getProperty("kubectl", "kubectl");
  static final String PROMTOOL = System.getProperty("promtool", "promtool");

  private Tools() {}

  record Result(int exit, String out, String err) {
    String describe() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  static Result run(String stdin, List<String> command) {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(ROOT.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " is required and was not found: " + installHint(command.get(0)), e);
    }
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
      }
      return new Result(process.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Result run(String... command) {
    return run(null, List.of(command));
  }

  private static String installHint(String tool) {
    if (tool.endsWith("kubectl")) {
      return "install kubectl (any version with `kubectl kustomize`, e.g. Debian's `apt-get install kubernetes-client`)";
    }
    if (tool.endsWith("promtool")) {
      return "`apt-get install prometheus` (Debian) provides /usr/bin/promtool";
    }
    return "install it";
  }

  private static String read(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
