package dev.presign.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine here (the client is installed, no daemon runs): the Dockerfile is checked as text, and its JVM
 * flags file is the one QuietStartIT and load-tests/container-bench.sh start the jar with.
 */
class DockerfileTest {
  static final String OPTIONS = "src/main/docker/jvm.options";

  /** The Dockerfile's instructions, one per element: comments dropped, continuation lines joined. */
  static List<String> instructions() throws IOException {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : Files.readAllLines(Tools.ROOT.resolve("Dockerfile"))) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean continues = line.endsWith("\\");
      current.append(current.length() == 0 ? "" : " ").append(continues ? line.substring(0, line.length() - 1).strip()
          : line);
      if (!continues) {
        out.add(current.toString());
        current.setLength(0);
      }
    }
    return out;
  }

  /** The flags of the JVM options file, as the launcher reads them (# starts a comment). */
  static List<String> jvmOptions() throws IOException {
    return Files.readAllLines(Tools.ROOT.resolve(OPTIONS)).stream().map(l -> l.replaceAll("#.*", "").strip())
        .filter(l -> !l.isEmpty()).flatMap(l -> Arrays.stream(l.split("\\s+"))).toList();
  }

  /** The value of {@code -XX:Name=value} in the options file. */
  static String option(String name) throws IOException {
    return jvmOptions().stream().filter(o -> o.startsWith("-XX:" + name + "=")).map(o -> o.substring(name.length() + 5))
        .findFirst().orElseThrow(() -> new AssertionError(OPTIONS + " sets no -XX:" + name));
  }

  @Test
  void builds_in_a_maven_stage_and_runs_on_a_jre_stage_named_by_arguments_pinnable_by_digest() throws IOException {
    List<String> lines = instructions();
    assertThat(lines).filteredOn(l -> l.startsWith("FROM ")).containsExactly("FROM ${BUILD_IMAGE} AS build",
        "FROM ${RUNTIME_IMAGE}");
    assertThat(lines).contains("ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17", "ARG RUNTIME_IMAGE=eclipse-temurin:25-jre");
    assertThat(lines).contains("COPY --from=build /build/target/presign-gateway.jar /app/presign-gateway.jar");
  }

  @Test
  void dependencies_are_a_cached_layer_below_the_sources() throws IOException {
    List<String> lines = instructions();
    int pom = lines.indexOf("COPY pom.xml .");
    int offline = lines.indexOf("RUN mvn -B -q dependency:go-offline");
    int src = lines.indexOf("COPY src ./src");
    assertThat(pom).isNotNegative().isLessThan(offline);
    assertThat(offline).isLessThan(src);
  }

  @Test
  void runs_as_the_non_root_user_the_pod_security_context_names_with_both_ports_exposed() throws IOException {
    List<String> lines = instructions();
    assertThat(lines).contains("USER 10001:10001", "EXPOSE 8080 9090");
    // USER comes after the last FROM, so it applies to the runtime image.
    assertThat(lines.indexOf("USER 10001:10001")).isGreaterThan(lines.indexOf("FROM ${RUNTIME_IMAGE}"));
  }

  @Test
  void jvm_flags_come_from_one_options_file_read_by_the_entrypoint_with_the_aot_cache() throws IOException {
    List<String> lines = instructions();
    assertThat(lines).contains("COPY src/main/docker/jvm.options /app/jvm.options",
        "ENTRYPOINT [\"java\", \"@/app/jvm.options\", \"-XX:AOTCache=/app/presign-gateway.aot\", \"-jar\","
            + " \"/app/presign-gateway.jar\"]");
    // No environment variable the launcher or the JVM picks options from: each prints a non-JSON line at start.
    assertThat(lines).noneMatch(l -> l.matches("(ENV|ARG) .*\\b(JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS|_JAVA_OPTIONS)\\b.*"));
  }

  @Test
  void the_aot_cache_is_trained_on_the_request_path_with_the_runtimes_flags_before_the_user_drops_root()
      throws IOException {
    List<String> lines = instructions();
    String train = lines.stream().filter(l -> l.contains("-XX:AOTCacheOutput=")).findFirst()
        .orElseThrow(() -> new AssertionError("no training run"));
    // The same options file, jar path and cache path as the ENTRYPOINT: a cache only serves the jar it was made for.
    assertThat(train).startsWith("RUN java @/app/jvm.options ").contains("-XX:AOTCacheOutput=/app/presign-gateway.aot")
        .contains("-jar /app/presign-gateway.jar train");
    Matcher maxRam = Pattern.compile("-XX:MaxRAM=(\\d+)m").matcher(train);
    assertThat(maxRam.find()).as("trained with the pod's memory").isTrue();
    assertThat(maxRam.group(1)).isEqualTo("512");
    int copyJar = lines.indexOf("COPY --from=build /build/target/presign-gateway.jar /app/presign-gateway.jar");
    assertThat(lines.indexOf(train)).isGreaterThan(copyJar)
        .isGreaterThan(lines.indexOf("COPY src/main/docker/jvm.options /app/jvm.options"))
        .isLessThan(lines.indexOf("USER 10001:10001"));
  }

  @Test
  void jvm_options_pin_the_collector_and_bound_processors_heap_and_direct_memory() throws IOException {
    assertThat(jvmOptions()).contains("-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError")
        .noneMatch(o -> o.matches("-XX:\\+Use(Serial|Parallel|Z|Shenandoah)GC"));
    assertThat(Integer.parseInt(option("ActiveProcessorCount"))).isPositive();
    assertThat(option("MaxDirectMemorySize")).matches("\\d+[mM]");
    int heapPercent = (int) Double.parseDouble(option("MaxRAMPercentage"));
    long direct = Long.parseLong(option("MaxDirectMemorySize").replaceAll("[mM]", ""));
    // Heap plus direct memory stay well inside the smallest pod limit (dev's 320 MiB), leaving room for the rest.
    assertThat(320 * heapPercent / 100 + direct).isLessThan(320 * 3 / 4);
    // The JVM's own warnings go to stderr: stdout is the JSON log stream.
    assertThat(jvmOptions()).contains("-Xlog:all=warning:stderr");
  }

  @Test
  void image_carries_oci_labels() throws IOException {
    String labels = String.join("\n", instructions().stream().filter(l -> l.startsWith("LABEL ")).toList());
    for (String key : List.of("title", "description", "source", "version", "revision", "base.name")) {
      assertThat(labels).contains("org.opencontainers.image." + key + "=");
    }
  }

  @Test
  void build_context_leaves_out_build_output_and_git() throws IOException {
    assertThat(Files.readAllLines(Tools.ROOT.resolve(".dockerignore")))
        .contains(".git", "target/", "**/target/", "load-tests/target/");
  }
}
