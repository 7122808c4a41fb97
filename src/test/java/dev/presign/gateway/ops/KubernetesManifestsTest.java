package dev.presign.gateway.ops;

import static dev.presign.gateway.ops.Manifests.at;
import static dev.presign.gateway.ops.Manifests.integer;
import static dev.presign.gateway.ops.Manifests.list;
import static dev.presign.gateway.ops.Manifests.map;
import static dev.presign.gateway.ops.Manifests.str;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders every overlay and the monitoring folder with {@code kubectl kustomize} and checks them against each other
 * and against a real gateway: the probes, ports and scrape path the manifests name are the ones it serves.
 */
class KubernetesManifestsTest {
  static final String APP = "presign-gateway";
  static final Map<String, Manifests> RENDERED = new HashMap<>();
  static Manifests monitoring;
  static TestIssuer issuer;
  static TestGateway gw;

  @BeforeAll
  static void render_and_start() {
    for (String overlay : List.of("dev", "prod", "prod-gateway-api")) {
      RENDERED.put(overlay, Manifests.render("k8s/overlays/" + overlay));
    }
    monitoring = Manifests.render("k8s/monitoring");
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    gw = TestGateway.start(TestGateway.env(issuer, null));
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

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void overlay_renders_every_kind_into_its_namespace(String overlay) {
    Manifests m = RENDERED.get(overlay);
    assertThat(m.objects).extracting(o -> o.get("kind")).contains("Namespace", "ServiceAccount", "ConfigMap",
        "Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy");
    String namespace = str(m.one("Namespace"), "metadata", "name");
    assertThat(m.objects).filteredOn(o -> !"Namespace".equals(o.get("kind")))
        .allSatisfy(o -> assertThat(str(o, "metadata", "namespace")).isEqualTo(namespace));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void config_map_is_a_configuration_the_gateway_accepts(String overlay) {
    Map<String, String> env = config(overlay);
    assertThat(env).containsKeys("S3_BUCKET", "AWS_REGION", "JWT_JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE",
        "ALLOWED_CONTENT_TYPES", "MAX_UPLOAD_BYTES", "REQUIRE_SIZE", "PRESIGN_TTL_SECONDS", "HTTP_PORT",
        "MANAGEMENT_PORT", "SHUTDOWN_DRAIN_SECONDS", "SHUTDOWN_TIMEOUT_SECONDS", "LOG_FORMAT");
    assertThat(env).containsEntry("LOG_FORMAT", "json");
    // Behind the ingress every peer is the controller: the edge limit must read the address it appended.
    assertThat(env).containsEntry("CLIENT_IP_HEADER", "X-Forwarded-For");
    assertThatCode(() -> GatewayConfig.fromEnv(env)).as("the gateway's own validation of the ConfigMap")
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void container_ports_are_the_ports_the_config_map_sets(String overlay) {
    Map<String, String> env = config(overlay);
    Map<String, Integer> ports = containerPorts(overlay);
    assertThat(ports).containsOnlyKeys("http", "management");
    assertThat(ports.get("http")).isEqualTo(Integer.parseInt(env.get("HTTP_PORT"))).isEqualTo(8080);
    assertThat(ports.get("management")).isEqualTo(Integer.parseInt(env.get("MANAGEMENT_PORT"))).isEqualTo(9090);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void probes_ask_the_management_port_for_paths_the_gateway_answers_with_200(String overlay) {
    Map<String, Object> c = container(overlay);
    assertThat(str(c, "startupProbe", "httpGet", "path")).isEqualTo("/health/live");
    assertThat(str(c, "livenessProbe", "httpGet", "path")).isEqualTo("/health/live");
    assertThat(str(c, "readinessProbe", "httpGet", "path")).isEqualTo("/health/ready");
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      assertThat(str(c, probe, "httpGet", "port")).as(probe).isEqualTo("management");
      String path = str(c, probe, "httpGet", "path");
      HttpResponse<String> r = get(gw.managementUrl(path));
      assertThat(r.statusCode()).as("%s GET %s on the management port: %s", probe, path, r.body()).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void pod_runs_as_non_root_with_a_read_only_root_and_no_privileges(String overlay) {
    Map<String, Object> pod = podSpec(overlay);
    Map<String, Object> c = container(overlay);
    assertThat(at(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
    assertThat(integer(pod, "securityContext", "runAsUser")).isEqualTo(10001);
    assertThat(str(pod, "securityContext", "seccompProfile", "type")).isEqualTo("RuntimeDefault");
    assertThat(at(c, "securityContext", "runAsNonRoot")).isEqualTo(true);
    assertThat(integer(c, "securityContext", "runAsUser")).isEqualTo(10001);
    assertThat(at(c, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
    assertThat(at(c, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
    assertThat(list(c, "securityContext", "capabilities", "drop")).containsExactly("ALL");
    assertThat(str(c, "securityContext", "seccompProfile", "type")).isEqualTo("RuntimeDefault");

    // The JVM needs a writable /tmp under a read-only root.
    Map<String, Object> tmpMount = list(c, "volumeMounts").stream().map(v -> map(v))
        .filter(v -> "/tmp".equals(v.get("mountPath"))).findFirst().orElseThrow(() -> new AssertionError("no /tmp"));
    assertThat(list(pod, "volumes")).map(v -> map(v))
        .anySatisfy(v -> {
          assertThat(v.get("name")).isEqualTo(tmpMount.get("name"));
          assertThat(v).containsKey("emptyDir");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod", "prod-gateway-api"})
  void cpu_limit_is_the_processor_count_the_image_gives_the_jvm(String overlay) throws Exception {
    Map<String, Object> c = container(overlay);
    assertThat(str(c, "resources", "limits", "cpu")).isEqualTo(DockerfileTest.option("ActiveProcessorCount"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod", "prod-gateway-api"})
  void jvm_flags_come_only_from_the_image(String overlay) {
    Map<String, Object> c = container(overlay);
    assertThat(c).doesNotContainKeys("command", "args");
    List<Object> env = c.containsKey("env") ? list(c, "env") : List.of();
    assertThat(env).map(e -> str(e, "name"))
        .doesNotContain("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "JAVA_OPTS");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void service_account_carries_an_irsa_role(String overlay) {
    Manifests m = RENDERED.get(overlay);
    String name = str(podSpec(overlay), "serviceAccountName");
    Map<String, Object> sa = m.named("ServiceAccount", name);
    assertThat(str(sa, "metadata", "annotations", "eks.amazonaws.com/role-arn"))
        .matches("arn:aws:iam::123456789012:role/presign-gateway-" + overlay);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void every_container_has_requests_and_limits(String overlay) {
    Map<String, Object> c = container(overlay);
    for (String kind : List.of("requests", "limits")) {
      assertThat(map(c, "resources", kind)).as(kind).containsKeys("cpu", "memory");
    }
    // Memory is never overcommitted: a pod is not evicted for using what it asked for.
    assertThat(str(c, "resources", "requests", "memory")).isEqualTo(str(c, "resources", "limits", "memory"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void grace_period_outlasts_pre_stop_sleep_drain_and_shutdown_timeout(String overlay) {
    Map<String, String> env = config(overlay);
    List<Object> preStop = list(container(overlay), "lifecycle", "preStop", "exec", "command");
    assertThat(preStop).hasSize(2).first().isEqualTo("sleep");
    int sleep = Integer.parseInt(String.valueOf(preStop.get(1)));
    int drain = Integer.parseInt(env.get("SHUTDOWN_DRAIN_SECONDS"));
    int timeout = Integer.parseInt(env.get("SHUTDOWN_TIMEOUT_SECONDS"));
    assertThat(sleep).isPositive();
    assertThat(integer(podSpec(overlay), "terminationGracePeriodSeconds")).isGreaterThan(sleep + drain + timeout);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void rollout_and_autoscaling_never_drop_below_the_desired_count(String overlay) {
    Manifests m = RENDERED.get(overlay);
    Map<String, Object> deployment = m.named("Deployment", APP);
    assertThat(str(deployment, "spec", "strategy", "type")).isEqualTo("RollingUpdate");
    assertThat(integer(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable")).isZero();
    assertThat(integer(deployment, "spec", "strategy", "rollingUpdate", "maxSurge")).isPositive();
    assertThat(list(podSpec(overlay), "topologySpreadConstraints")).map(t -> str(t, "topologyKey"))
        .containsExactlyInAnyOrder("topology.kubernetes.io/zone", "kubernetes.io/hostname");

    Map<String, Object> hpa = m.one("HorizontalPodAutoscaler");
    assertThat(hpa.get("apiVersion")).isEqualTo("autoscaling/v2");
    assertThat(str(hpa, "spec", "scaleTargetRef", "kind")).isEqualTo("Deployment");
    assertThat(str(hpa, "spec", "scaleTargetRef", "name")).isEqualTo(APP);
    assertThat(str(hpa, "spec", "metrics", 0, "resource", "name")).isEqualTo("cpu");
    assertThat(integer(hpa, "spec", "behavior", "scaleDown", "stabilizationWindowSeconds")).isPositive();
    int min = integer(hpa, "spec", "minReplicas");
    assertThat(min).isLessThan(integer(hpa, "spec", "maxReplicas"));
    // The HPA owns the count: a replicas field would reset a scaled-out Deployment at every apply.
    assertThat(map(deployment, "spec")).doesNotContainKey("replicas");
    assertThat(min).isEqualTo(overlay.equals("dev") ? 1 : 3);

    // The budget selects the pods and still lets a node drain evict one of them.
    Map<String, Object> pdb = m.one("PodDisruptionBudget");
    assertThat(podLabels(overlay)).containsAllEntriesOf(stringMap(map(pdb, "spec", "selector", "matchLabels")));
    Map<String, Object> spec = map(pdb, "spec");
    if (spec.containsKey("maxUnavailable")) {
      assertThat(integer(spec, "maxUnavailable")).isPositive();
    } else {
      assertThat(integer(spec, "minAvailable")).isLessThan(min);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void ingress_routes_only_the_api_prefix_to_the_http_port(String overlay) {
    Manifests m = RENDERED.get(overlay);
    Map<String, Object> ingress = m.one("Ingress");
    assertThat(str(ingress, "spec", "ingressClassName")).isEqualTo("nginx");
    assertThat(map(ingress, "metadata", "annotations")).containsKeys(
        "nginx.ingress.kubernetes.io/proxy-body-size", "nginx.ingress.kubernetes.io/proxy-read-timeout",
        "nginx.ingress.kubernetes.io/proxy-send-timeout", "nginx.ingress.kubernetes.io/proxy-connect-timeout",
        "nginx.ingress.kubernetes.io/limit-rps", "nginx.ingress.kubernetes.io/limit-burst-multiplier");
    List<Object> hosts = list(ingress, "spec", "rules").stream().map(r -> (Object) str(r, "host")).toList();
    assertThat(list(ingress, "spec", "tls")).singleElement().satisfies(tls -> {
      assertThat(str(tls, "secretName")).isNotBlank();
      assertThat(list(tls, "hosts")).containsExactlyInAnyOrderElementsOf(hosts);
    });
    Map<String, Object> api = m.named("Service", APP);
    for (Object rule : list(ingress, "spec", "rules")) {
      for (Object path : list(rule, "http", "paths")) {
        assertThat(str(path, "path")).isEqualTo("/api/");
        assertThat(str(path, "backend", "service", "name")).isEqualTo(str(api, "metadata", "name"));
        assertThat(str(path, "backend", "service", "port", "name")).isEqualTo("http");
      }
    }
    // The prefix holds the real API: without a token the presign route answers 401, not 404.
    assertThat(gw.presign(null, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(401);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void management_port_is_exposed_only_by_the_management_service(String overlay) {
    Manifests m = RENDERED.get(overlay);
    Map<String, Object> api = m.named("Service", APP);
    assertThat(str(api, "spec", "type")).isEqualTo("ClusterIP");
    assertThat(list(api, "spec", "ports")).singleElement().satisfies(p -> {
      assertThat(str(p, "name")).isEqualTo("http");
      assertThat(str(p, "targetPort")).isEqualTo("http");
    });
    Map<String, Object> management = m.named("Service", APP + "-management");
    assertThat(list(management, "spec", "ports")).singleElement().satisfies(p -> {
      assertThat(str(p, "name")).isEqualTo("management");
      assertThat(str(p, "targetPort")).isEqualTo("management");
    });
    for (Map<String, Object> service : m.all("Service")) {
      assertThat(podLabels(overlay)).containsAllEntriesOf(stringMap(map(service, "spec", "selector")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void service_monitor_scrapes_the_management_service_on_a_path_the_gateway_serves(String overlay) {
    Manifests m = RENDERED.get(overlay);
    Map<String, Object> monitor = monitoring.one("ServiceMonitor");
    Map<String, String> selector = stringMap(map(monitor, "spec", "selector", "matchLabels"));
    Map<String, Object> management = m.named("Service", APP + "-management");
    assertThat(labels(management)).containsAllEntriesOf(selector);
    assertThat(labels(m.named("Service", APP))).as("the API Service must not be scraped")
        .doesNotContainEntry("app.kubernetes.io/component", selector.get("app.kubernetes.io/component"));
    assertThat(list(monitor, "spec", "namespaceSelector", "matchNames"))
        .contains(str(m.one("Namespace"), "metadata", "name"));

    Map<String, Object> endpoint = map(monitor, "spec", "endpoints", 0);
    assertThat(list(management, "spec", "ports")).map(p -> str(p, "name")).contains(str(endpoint, "port"));
    assertThat(str(endpoint, "path")).isEqualTo("/metrics");
    assertThat(str(endpoint, "interval")).isEqualTo("15s");
    HttpResponse<String> r = get(gw.managementUrl(str(endpoint, "path")));
    assertThat(r.statusCode()).as("GET /metrics on the management port").isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void network_policy_admits_the_ingress_controller_to_http_and_prometheus_to_management(String overlay) {
    Manifests m = RENDERED.get(overlay);
    Map<String, Object> policy = m.one("NetworkPolicy");
    Map<String, Integer> ports = containerPorts(overlay);
    assertThat(podLabels(overlay)).containsAllEntriesOf(stringMap(map(policy, "spec", "podSelector", "matchLabels")));
    assertThat(list(policy, "spec", "policyTypes")).containsExactlyInAnyOrder("Ingress", "Egress");
    Map<String, List<Integer>> ingressPortsByNamespace = list(policy, "spec", "ingress").stream().collect(
        Collectors.toMap(rule -> str(rule, "from", 0, "namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"),
            rule -> list(rule, "ports").stream().map(p -> integer(p, "port")).toList()));
    assertThat(ingressPortsByNamespace).containsOnly(
        Map.entry("ingress-nginx", List.of(ports.get("http"))),
        Map.entry("monitoring", List.of(ports.get("management"))));
    assertThat(egressPortsTo(policy, "169.254.20.10/32")).as("NodeLocal DNS").containsExactlyInAnyOrder(53, 53);
    assertThat(egressPortsTo(policy, "169.254.170.23/32")).as("EKS Pod Identity agent").containsExactly(80);
    assertThat(egressPortsTo(policy, "fd00:ec2::23/128")).as("EKS Pod Identity agent, IPv6").containsExactly(80);
    assertThat(egressPortsTo(policy, "0.0.0.0/0")).as("HTTPS: STS, JWKS").containsExactly(443);
    assertThat(egressPortsTo(policy, "::/0")).as("HTTPS over IPv6").containsExactly(443);
    // Port 80 only to the Pod Identity agent: never to IMDS (169.254.169.254) or anywhere else.
    for (Object rule : list(policy, "spec", "egress")) {
      if (list(rule, "ports").stream().anyMatch(p -> integer(p, "port") == 80)) {
        assertThat(list(rule, "to")).map(t -> str(t, "ipBlock", "cidr"))
            .containsExactlyInAnyOrder("169.254.170.23/32", "fd00:ec2::23/128");
      }
    }
  }

  /** The ports of every egress rule whose peers include the ipBlock {@code cidr}. */
  static List<Integer> egressPortsTo(Map<String, Object> policy, String cidr) {
    return list(policy, "spec", "egress").stream()
        .filter(rule -> list(rule, "to").stream().anyMatch(t -> map(t).containsKey("ipBlock")
            && cidr.equals(str(t, "ipBlock", "cidr"))))
        .flatMap(rule -> list(rule, "ports").stream()).map(p -> integer(p, "port")).toList();
  }

  @Test
  void gateway_api_variant_routes_the_api_prefix_with_an_http_route_instead_of_the_ingress() {
    Manifests m = RENDERED.get("prod-gateway-api");
    Manifests prod = RENDERED.get("prod");
    assertThat(m.all("Ingress")).isEmpty();
    Map<String, Object> route = m.one("HTTPRoute");
    assertThat(route.get("apiVersion")).isEqualTo("gateway.networking.k8s.io/v1");
    assertThat(str(route, "metadata", "namespace")).isEqualTo(str(m.one("Namespace"), "metadata", "name"));
    assertThat(list(route, "spec", "hostnames")).containsExactly(str(prod.one("Ingress"), "spec", "rules", 0, "host"));
    assertThat(list(route, "spec", "parentRefs")).isNotEmpty();
    Map<String, Object> api = m.named("Service", APP);
    assertThat(list(route, "spec", "rules")).singleElement().satisfies(rule -> {
      assertThat(list(rule, "matches")).singleElement().satisfies(match -> {
        assertThat(str(match, "path", "type")).isEqualTo("PathPrefix");
        assertThat(str(match, "path", "value")).isEqualTo("/api/");
      });
      assertThat(list(rule, "backendRefs")).singleElement().satisfies(ref -> {
        assertThat(str(ref, "name")).isEqualTo(str(api, "metadata", "name"));
        assertThat(integer(ref, "port")).isEqualTo(integer(api, "spec", "ports", 0, "port"));
      });
      assertThat(str(rule, "timeouts", "request")).isEqualTo("10s");
    });
    // The API is admitted from the Gateway's namespace instead of ingress-nginx; egress is prod's.
    String gatewayNamespace = str(route, "spec", "parentRefs", 0, "namespace");
    Map<String, Object> policy = m.one("NetworkPolicy");
    assertThat(list(policy, "spec", "ingress")).map(r -> str(r, "from", 0, "namespaceSelector", "matchLabels",
        "kubernetes.io/metadata.name")).containsExactlyInAnyOrder(gatewayNamespace, "monitoring");
    assertThat(list(policy, "spec", "egress")).isEqualTo(list(prod.one("NetworkPolicy"), "spec", "egress"));
    // Everything else is prod's.
    assertThat(m.named("Deployment", APP)).isEqualTo(prod.named("Deployment", APP));
  }

  @Test
  void dev_runs_one_small_pod_of_the_dev_image_and_prod_three_of_a_pinned_one() {
    Map<String, Object> dev = container("dev");
    Map<String, Object> prod = container("prod");
    assertThat(integer(RENDERED.get("dev").one("HorizontalPodAutoscaler"), "spec", "minReplicas")).isEqualTo(1);
    assertThat(integer(RENDERED.get("prod").one("HorizontalPodAutoscaler"), "spec", "minReplicas")).isEqualTo(3);
    assertThat(str(dev, "image")).endsWith(":dev");
    assertThat(str(prod, "image")).matches(".+:\\d+\\.\\d+\\.\\d+(@sha256:[0-9a-f]{64})?");
    assertThat(str(dev, "resources", "limits", "memory")).isNotEqualTo(str(prod, "resources", "limits", "memory"));
    assertThat(config("prod")).containsEntry("REQUIRE_SIZE", "true");
    assertThat(str(RENDERED.get("prod").one("Ingress"), "spec", "rules", 0, "host"))
        .isNotEqualTo(str(RENDERED.get("dev").one("Ingress"), "spec", "rules", 0, "host"));
  }

  @Test
  void monitoring_renders_the_service_monitor_the_rules_and_a_dashboard_grafana_picks_up() {
    assertThat(monitoring.objects).extracting(o -> o.get("kind"))
        .containsExactlyInAnyOrder("ServiceMonitor", "PrometheusRule", "ConfigMap");
    Map<String, Object> dashboard = monitoring.one("ConfigMap");
    assertThat(labels(dashboard)).containsEntry("grafana_dashboard", "1");
    Map<String, Object> data = map(dashboard, "data");
    assertThat(data).hasSize(1);
    String json = String.valueOf(data.values().iterator().next());
    assertThat(new JsonObject(json).getString("title")).isEqualTo(APP);
    assertThat(list(monitoring.one("PrometheusRule"), "spec", "groups")).isNotEmpty();
  }

  // --- the rendered objects the checks read

  static Map<String, Object> podSpec(String overlay) {
    return map(RENDERED.get(overlay).named("Deployment", APP), "spec", "template", "spec");
  }

  static Map<String, Object> container(String overlay) {
    return list(podSpec(overlay), "containers").stream().map(c -> map(c))
        .filter(c -> APP.equals(c.get("name"))).findFirst().orElseThrow();
  }

  static Map<String, String> podLabels(String overlay) {
    return stringMap(map(RENDERED.get(overlay).named("Deployment", APP), "spec", "template", "metadata", "labels"));
  }

  static Map<String, Integer> containerPorts(String overlay) {
    return list(container(overlay), "ports").stream()
        .collect(Collectors.toMap(p -> str(p, "name"), p -> integer(p, "containerPort")));
  }

  /** The ConfigMap the container's envFrom names (its generated name carries a content hash). */
  static Map<String, String> config(String overlay) {
    List<Object> envFrom = list(container(overlay), "envFrom");
    assertThat(envFrom).singleElement();
    String name = str(envFrom.get(0), "configMapRef", "name");
    return stringMap(map(RENDERED.get(overlay).named("ConfigMap", name), "data"));
  }

  static Map<String, String> labels(Map<String, Object> object) {
    return stringMap(map(object, "metadata", "labels"));
  }

  static Map<String, String> stringMap(Map<String, Object> map) {
    return map.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
  }

  static HttpResponse<String> get(String url) {
    return TestGateway.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build());
  }
}
