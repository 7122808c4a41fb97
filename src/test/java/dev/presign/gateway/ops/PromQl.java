package dev.presign.gateway.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough PromQL reading to list the metric names and label matchers an expression refers to. */
final class PromQl {
  private static final Set<String> KEYWORDS = Set.of(
      "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
      "group", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
      "offset", "atan2", "inf", "nan");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");

  private PromQl() {}

  /** A metric name with the label matchers written after it ({@code label -> "=value"} etc.). */
  record Selector(String metric, Map<String, String> matchers) {}

  /** Metric names: identifiers followed by {@code {} or {@code [} or standing bare, minus functions and keywords. */
  static Set<String> metricNames(String expr) {
    String s = STRING.matcher(expr).replaceAll("\"\"");
    s = s.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
    s = GROUPING.matcher(s).replaceAll(" ");
    s = s.replaceAll("\\$\\{?[a-zA-Z_][a-zA-Z0-9_]*}?", " ");          // Grafana variables
    s = s.replaceAll("(?<![a-zA-Z0-9_:.])[0-9][0-9.]*(?:[eE][+-]?[0-9]+)?(?:ms|[smhdwy])*", " ");  // numbers
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String id = m.group();
      boolean isCall = s.substring(m.end()).stripLeading().startsWith("(");
      if (!isCall && !KEYWORDS.contains(id.toLowerCase())) {
        names.add(id);
      }
    }
    return names;
  }

  static List<Selector> selectors(String expr) {
    List<Selector> selectors = new ArrayList<>();
    Matcher m = SELECTOR.matcher(expr);
    while (m.find()) {
      Map<String, String> matchers = new LinkedHashMap<>();
      Matcher lm = MATCHER.matcher(m.group(2));
      while (lm.find()) {
        matchers.put(lm.group(1), lm.group(2) + lm.group(3));
      }
      selectors.add(new Selector(m.group(1), matchers));
    }
    return selectors;
  }
}
