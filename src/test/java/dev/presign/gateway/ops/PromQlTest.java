package dev.presign.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PromQL reading that DashboardAndAlertsUseRealMetricsTest relies on. */
class PromQlTest {
  @Test
  void names_are_found_past_functions_matchers_grouping_and_numbers() {
    String expr = """
        histogram_quantile(0.99, sum by (le, route) (rate(vertx_http_server_response_time_seconds_bucket{route="/a{b}", le="0.05"}[$__rate_interval])))
          / on (namespace) group_left ()
        clamp_max(max without (pod) (kube_deployment_spec_replicas), 2) > (14.4 * 0.01)
        and presign_ready offset 5m == 1 or absent(up{job=~".*presign-gateway.*"}) + 1e-3
        """;
    assertThat(PromQl.metricNames(expr)).containsExactlyInAnyOrder(
        "vertx_http_server_response_time_seconds_bucket", "kube_deployment_spec_replicas", "presign_ready", "up");
  }

  @Test
  void a_bare_name_is_a_metric() {
    assertThat(PromQl.metricNames("presign_credentials_expiry_seconds < 240"))
        .containsExactly("presign_credentials_expiry_seconds");
  }

  @Test
  void selectors_keep_their_label_matchers() {
    assertThat(PromQl.selectors("sum(rate(presign_requests_total{namespace=\"$namespace\", outcome=\"error\"}[5m]))"))
        .containsExactly(new PromQl.Selector("presign_requests_total",
            Map.of("namespace", "=$namespace", "outcome", "=error")));
  }
}
