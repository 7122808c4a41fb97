package dev.presign.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** No Docker engine in CI: the Dockerfile's essentials are checked as text. */
class DockerfileTest {
  static List<String> instructions() throws IOException {
    return Files.readAllLines(Tools.ROOT.resolve("Dockerfile")).stream().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  @Test
  void builds_in_a_maven_stage_and_runs_on_a_jre_stage() throws IOException {
    assertThat(instructions()).filteredOn(l -> l.startsWith("FROM "))
        .containsExactly("FROM maven:3.9-eclipse-temurin-17 AS build", "FROM eclipse-temurin:25-jre");
    assertThat(instructions()).contains("COPY --from=build /build/target/presign-gateway.jar /app/presign-gateway.jar");
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
    assertThat(lines).contains("USER 10001:10001", "EXPOSE 8080 9090",
        "ENTRYPOINT [\"java\", \"-jar\", \"/app/presign-gateway.jar\"]");
    assertThat(lines).anyMatch(l -> l.startsWith("ENV JAVA_TOOL_OPTIONS=") && l.contains("-XX:MaxRAMPercentage=75")
        && l.contains("-XX:+ExitOnOutOfMemoryError"));
    // USER comes after the last FROM, so it applies to the runtime image.
    assertThat(lines.indexOf("USER 10001:10001")).isGreaterThan(lines.indexOf("FROM eclipse-temurin:25-jre"));
  }

  @Test
  void build_context_leaves_out_build_output_and_git() throws IOException {
    assertThat(Files.readAllLines(Tools.ROOT.resolve(".dockerignore")))
        .contains(".git", "target/", "**/target/", "load-tests/target/");
  }
}
