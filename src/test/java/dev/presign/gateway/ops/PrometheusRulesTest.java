package dev.presign.gateway.ops;

import static dev.presign.gateway.ops.Manifests.list;
import static dev.presign.gateway.ops.Manifests.map;
import static dev.presign.gateway.ops.Manifests.str;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules as promtool sees them. k8s/monitoring/prometheusrule.yaml is their one source; the plain rules
 * file is extracted from it by k8s/monitoring/rules/extract.sh, as a person would run it, into target/promtool.
 */
class PrometheusRulesTest {
  static final Path RULE = Tools.ROOT.resolve("k8s/monitoring/prometheusrule.yaml");
  static final Path OUT = Tools.ROOT.resolve("target/promtool");
  static final Path RULES = OUT.resolve("presign-gateway.rules.yaml");
  static final Path UNIT_TESTS = OUT.resolve("presign-gateway.rules.test.yaml");

  @BeforeAll
  static void extract() throws IOException {
    Files.createDirectories(OUT);
    Tools.Result r = Tools.run("sh", "k8s/monitoring/rules/extract.sh", OUT.toString());
    assertThat(r.exit()).as(r.describe()).isZero();
  }

  @Test
  void extracted_rules_file_is_exactly_the_prometheus_rules_spec() {
    Map<String, Object> source = load(RULE);
    assertThat(load(RULES)).isEqualTo(map(source, "spec"));
  }

  @Test
  void promtool_check_rules_accepts_the_rules() {
    Tools.Result r = Tools.run(Tools.PROMTOOL, "check", "rules", RULES.toString());
    assertThat(r.exit()).as(r.describe()).isZero();
    assertThat(r.out()).contains("SUCCESS");
  }

  @Test
  void promtool_unit_tests_pass() {
    Tools.Result r = Tools.run(Tools.PROMTOOL, "test", "rules", UNIT_TESTS.toString());
    assertThat(r.exit()).as(r.describe()).isZero();
    assertThat(r.out()).contains("SUCCESS");
  }

  @Test
  void every_alert_has_a_severity_a_summary_a_description_and_a_runbook() {
    List<Map<String, Object>> alerts = alerts();
    assertThat(alerts).extracting(a -> a.get("alert")).containsExactlyInAnyOrder(
        "PresignErrorBudgetBurnFast", "PresignErrorBudgetBurnSlow", "PresignErrorBudgetBurnTicket",
        "PresignLatencyBudgetBurnFast", "PresignLatencyBudgetBurnSlow", "PresignLatencyBudgetBurnTicket",
        "PresignSuccessRatioLow", "PresignCredentialsExpiringSoon", "PresignJwksRefreshFailing",
        "PresignLogEventsDropped", "PresignTooFewReadyPods", "PresignDown", "PresignEventLoopLag",
        "PresignCpuThrottled", "PresignS3ErrorRatioHigh");
    for (Map<String, Object> alert : alerts) {
      // A fixed severity, or the environment's from the recorded table (critical in prod, warning in *-dev):
      // never both, since a rule's own label would override the joined one.
      boolean byEnvironment = str(alert, "expr").contains("group_left (severity) presign:namespace:severity");
      Object labels = alert.get("labels");
      if (byEnvironment) {
        assertThat(labels == null || !map(alert, "labels").containsKey("severity")).as("%s", alert.get("alert"))
            .isTrue();
      } else {
        assertThat(str(alert, "labels", "severity")).as("%s severity", alert.get("alert")).isIn("critical", "warning");
      }
      assertThat(map(alert, "annotations")).as("%s annotations", alert.get("alert"))
          .containsKeys("summary", "description", "runbook_url");
      assertThat(str(alert, "annotations", "runbook_url")).endsWith("README.md#alerts");
    }
  }

  @Test
  void every_alert_has_a_unit_test_where_it_fires_and_one_where_it_stays_quiet() {
    Set<String> fires = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (Object test : list(load(UNIT_TESTS), "tests")) {
      for (Object check : list(test, "alert_rule_test")) {
        String name = str(check, "alertname");
        boolean expectsAlert = map(check).containsKey("exp_alerts") && !list(check, "exp_alerts").isEmpty();
        (expectsAlert ? fires : quiet).add(name);
      }
    }
    Set<String> names = alerts().stream().map(a -> String.valueOf(a.get("alert"))).collect(Collectors.toSet());
    assertThat(fires).as("alerts with a firing case").containsExactlyInAnyOrderElementsOf(names);
    assertThat(quiet).as("alerts with a quiet case").containsExactlyInAnyOrderElementsOf(names);
  }

  @Test
  void every_page_tier_and_symptom_alert_takes_its_severity_from_the_environment() {
    assertThat(alerts()).filteredOn(a -> str(a, "expr").contains("presign:namespace:severity"))
        .extracting(a -> a.get("alert")).containsExactlyInAnyOrder("PresignErrorBudgetBurnFast",
            "PresignErrorBudgetBurnSlow", "PresignLatencyBudgetBurnFast", "PresignLatencyBudgetBurnSlow",
            "PresignSuccessRatioLow", "PresignCredentialsExpiringSoon", "PresignDown");
  }

  @Test
  void every_recorded_name_the_alerts_read_is_recorded() {
    List<Map<String, Object>> rules = list(load(RULES), "groups").stream().flatMap(g -> list(g, "rules").stream())
        .map(r -> map(r)).toList();
    Set<String> recorded = rules.stream().filter(r -> r.containsKey("record")).map(r -> str(r, "record"))
        .collect(Collectors.toSet());
    Set<String> read = new TreeSet<>();
    rules.forEach(r -> PromQl.metricNames(str(r, "expr")).stream().filter(n -> n.contains(":")).forEach(read::add));
    assertThat(read).isNotEmpty();
    assertThat(recorded).containsAll(read);
  }

  static List<Map<String, Object>> alerts() {
    return list(load(RULES), "groups").stream().flatMap(g -> list(g, "rules").stream()).map(r -> map(r))
        .filter(r -> r.containsKey("alert")).toList();
  }

  static Map<String, Object> load(Path file) {
    try {
      return new Yaml().load(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
