package dev.presign.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.yaml.snakeyaml.Yaml;

/** The objects {@code kubectl kustomize DIR} renders, and small accessors for walking them. */
final class Manifests {
  final String dir;
  final List<Map<String, Object>> objects;

  private Manifests(String dir, List<Map<String, Object>> objects) {
    this.dir = dir;
    this.objects = objects;
  }

  /** {@code dir} relative to the repository root, e.g. {@code k8s/overlays/prod}. */
  @SuppressWarnings("unchecked")
  static Manifests render(String dir) {
    Tools.Result r = Tools.run(Tools.KUBECTL, "kustomize", dir);
    assertThat(r.exit()).as("kubectl kustomize %s\n%s", dir, r.describe()).isZero();
    List<Map<String, Object>> objects = StreamSupport.stream(new Yaml().loadAll(r.out()).spliterator(), false)
        .filter(Objects::nonNull)
        .map(o -> (Map<String, Object>) o)
        .collect(Collectors.toList());
    return new Manifests(dir, objects);
  }

  List<Map<String, Object>> all(String kind) {
    return objects.stream().filter(o -> kind.equals(o.get("kind"))).collect(Collectors.toList());
  }

  Map<String, Object> one(String kind) {
    List<Map<String, Object>> found = all(kind);
    assertThat(found).as("%s objects rendered from %s", kind, dir).hasSize(1);
    return found.get(0);
  }

  Map<String, Object> named(String kind, String name) {
    return all(kind).stream().filter(o -> name.equals(str(o, "metadata", "name"))).findFirst()
        .orElseThrow(() -> new AssertionError(dir + " renders no " + kind + " named " + name));
  }

  /** Walks maps by key and lists by index; fails with the path when a step is missing. */
  static Object at(Object node, Object... path) {
    Object current = node;
    for (Object step : path) {
      if (step instanceof Integer i && current instanceof List<?> list && i < list.size()) {
        current = list.get(i);
      } else if (current instanceof Map<?, ?> map && map.containsKey(step)) {
        current = map.get(step);
      } else {
        throw new AssertionError("no " + List.of(path) + " (stopped at " + step + ")");
      }
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node, Object... path) {
    return (Map<String, Object>) at(node, path);
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node, Object... path) {
    return (List<Object>) at(node, path);
  }

  static String str(Object node, Object... path) {
    return String.valueOf(at(node, path));
  }

  static int integer(Object node, Object... path) {
    Object value = at(node, path);
    return value instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(value));
  }
}
