package dev.presign.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the puppeteer drivers in src/test/browser (real headless Chromium): its last stdout line is its JSON
 * report. Needs {@code npm ci --prefix src/test/browser} and /usr/bin/chromium, and fails saying so without them.
 */
public final class NodeDriver {
  public static final Path BROWSER = Path.of("src/test/browser");

  private NodeDriver() {}

  /** node_modules and Chromium are installed by .ci/run; without them the calling test fails, saying what to run. */
  public static void requireBrowserTools() {
    if (!Files.isRegularFile(BROWSER.resolve("node_modules/uppy/dist/uppy.min.js"))
        || !Files.isRegularFile(BROWSER.resolve("node_modules/puppeteer-core/package.json"))) {
      fail("Uppy and puppeteer-core are not installed in " + BROWSER.resolve("node_modules").toAbsolutePath()
          + ": run 'npm ci --prefix src/test/browser' (scripts/test-all.sh does)");
    }
    if (!Files.isExecutable(Path.of(chromium()))) {
      fail("no Chromium at " + chromium() + ": run 'apt-get install chromium' (scripts/test-all.sh does)");
    }
  }

  public static String chromium() {
    return System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
  }

  /**
   * Runs {@code node src/test/browser/<script> args...} with its output in {@code out}, at most 55 s (the drivers
   * give up on their own before), and returns its report; fails unless it exits 0 with one.
   */
  public static JsonObject run(String script, Path out, List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", BROWSER.resolve(script).toString()));
    command.addAll(args);
    String name = script.replace(".mjs", "");
    Path stdout = out.resolve(name + ".stdout");
    Path stderr = out.resolve(name + ".stderr");
    Process node = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    long limit = Long.getLong("browser.driver.seconds", 55);
    if (!node.waitFor(limit, TimeUnit.SECONDS)) {
      node.descendants().forEach(ProcessHandle::destroyForcibly);
      node.destroyForcibly();
      fail("the puppeteer driver " + script + " did not finish within " + limit + " s; stderr:\n" + Files.readString(stderr));
    }
    String text = new String(Files.readAllBytes(stdout), StandardCharsets.UTF_8).strip();
    String last = text.substring(text.lastIndexOf('\n') + 1);
    if (!last.startsWith("{")) {
      fail("the puppeteer driver " + script + " exited with " + node.exitValue() + " and no report; stdout:\n" + text
          + "\nstderr:\n" + Files.readString(stderr));
    }
    JsonObject report = new JsonObject(last);
    assertThat(node.exitValue()).as(report.encodePrettily()).isZero();
    return report;
  }
}
