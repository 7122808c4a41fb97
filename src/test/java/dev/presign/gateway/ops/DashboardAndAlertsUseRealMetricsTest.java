package dev.presign.gateway.ops;

import static dev.presign.gateway.ops.Manifests.list;
import static dev.presign.gateway.ops.Manifests.map;
import static dev.presign.gateway.ops.Manifests.str;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric name and label value that the alert rules and the Grafana dashboard query is one a real gateway
 * exports on GET /metrics after serving traffic, so no alert or panel silently watches nothing.
 */
class DashboardAndAlertsUseRealMetricsTest {
  /** Labels Prometheus adds to every target's series (ServiceMonitor) or that belong to kube-state-metrics. */
  static final Set<String> TARGET_LABELS = Set.of("job", "instance", "namespace", "pod", "service", "endpoint",
      "container", "deployment");
  static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+\\S+.*");
  static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  static final List<String> EXPRESSIONS = new ArrayList<>();
  static TestIssuer issuer;
  static TestGateway gw;
  static String scrape;

  @BeforeAll
  static void serve_traffic_and_scrape() throws Exception {
    for (Object group : list(PrometheusRulesTest.load(PrometheusRulesTest.RULE), "spec", "groups")) {
      for (Object rule : list(group, "rules")) {
        EXPRESSIONS.add(str(rule, "expr"));
      }
    }
    collectExprs(new JsonObject(Files.readString(Tools.ROOT.resolve(
        "k8s/monitoring/dashboards/presign-gateway.json"))), EXPRESSIONS);

    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    gw = TestGateway.start(TestGateway.env(issuer, null));
    String token = issuer.token("k1", "alice");
    assertThat(gw.presign(token, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(200);
    assertThat(gw.presign(token, new JsonObject()).statusCode()).isEqualTo(400);
    // An S3 API call (no S3 behind this gateway: it fails as unreachable) makes the S3 call histogram appear.
    assertThat(gw.post("/api/s3/uploads/confirm", token, "application/json", "{\"key\":\"users/alice/a\"}")
        .statusCode()).isEqualTo(503);

    // The gateway shares this JVM: a collection now makes the GC pause timer appear, as it soon would in a pod.
    System.gc();
    Set<String> wanted = referencedNames();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    do {
      HttpResponse<String> r = TestGateway.send(HttpRequest.newBuilder(URI.create(gw.managementUrl("/metrics")))
          .timeout(Duration.ofSeconds(10)).GET().build());
      assertThat(r.statusCode()).as("GET /metrics on the management port: %s", r.body()).isEqualTo(200);
      scrape = r.body();
      if (scrapedNames().containsAll(wanted)) {
        break;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
  }

  @AfterAll
  static void stop() {
    if (gw != null) {
      gw.close();
    }
    if (issuer != null) {
      issuer.close();
    }
  }

  @Test
  void alerts_and_dashboard_query_the_gateways_own_metrics() {
    assertThat(referencedNames()).contains("presign_requests_total", "presign_signing_seconds_bucket",
        "presign_jwt_validation_seconds_bucket", "vertx_http_server_response_time_seconds_bucket",
        "vertx_http_server_response_time_seconds_count", "vertx_http_server_requests_total",
        "presign_credentials_expiry_seconds", "presign_jwks_last_success_age_seconds",
        "presign_jwks_refreshes_total", "presign_signing_keys", "presign_ready");
  }

  @Test
  void every_metric_the_alerts_and_dashboard_use_is_in_the_gateways_scrape() {
    assertThat(scrapedNames()).containsAll(referencedNames());
  }

  @Test
  void every_label_value_they_select_exists_in_the_scrape() {
    List<String> missing = new ArrayList<>();
    for (String expr : EXPRESSIONS) {
      for (PromQl.Selector selector : PromQl.selectors(expr)) {
        if (!exported(selector.metric())) {
          continue;
        }
        selector.matchers().forEach((label, matcher) -> {
          if (TARGET_LABELS.contains(label) || !matcher.startsWith("=") || matcher.startsWith("=~")) {
            return;
          }
          String value = matcher.substring(1);
          if (!hasSample(selector.metric(), label, value)) {
            missing.add(selector.metric() + "{" + label + "=\"" + value + "\"}");
          }
        });
      }
    }
    assertThat(missing).as("selectors that match no exported series").isEmpty();
  }

  @Test
  void scrape_passes_promtool_check_metrics_without_a_finding() {
    Tools.Result r = Tools.run(scrape, List.of(Tools.PROMTOOL, "check", "metrics"));
    assertThat(r.exit()).as(r.describe()).isZero();
    assertThat((r.out() + r.err()).strip()).as(r.describe()).isEmpty();
  }

  /**
   * Names referenced by rules and panels, minus Prometheus' own {@code up}, kube-state-metrics' {@code kube_*}, the
   * kubelet's cAdvisor {@code container_*} and the recording rules' own {@code level:metric:operation} names.
   */
  static Set<String> referencedNames() {
    Set<String> names = new TreeSet<>();
    EXPRESSIONS.forEach(e -> names.addAll(PromQl.metricNames(e)));
    names.removeIf(n -> !exported(n));
    return names;
  }

  static boolean exported(String name) {
    return !name.equals("up") && !name.startsWith("kube_") && !name.startsWith("container_") && !name.contains(":");
  }

  static Set<String> scrapedNames() {
    Set<String> names = new TreeSet<>();
    scrape.lines().filter(l -> !l.startsWith("#")).map(SAMPLE::matcher).filter(Matcher::matches)
        .forEach(m -> names.add(m.group(1)));
    return names;
  }

  static boolean hasSample(String metric, String label, String value) {
    return scrape.lines().filter(l -> !l.startsWith("#")).map(SAMPLE::matcher)
        .filter(m -> m.matches() && m.group(1).equals(metric) && m.group(2) != null)
        .anyMatch(m -> {
          Matcher lm = LABEL.matcher(m.group(2));
          while (lm.find()) {
            if (lm.group(1).equals(label) && lm.group(2).equals(value)) {
              return true;
            }
          }
          return false;
        });
  }

  static void collectExprs(Object node, List<String> into) {
    if (node instanceof JsonObject o) {
      o.forEach(e -> {
        if (e.getKey().equals("expr") && e.getValue() instanceof String s) {
          into.add(s);
        } else {
          collectExprs(e.getValue(), into);
        }
      });
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> collectExprs(v, into));
    }
  }
}
