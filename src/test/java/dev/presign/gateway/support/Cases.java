package dev.presign.gateway.support;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs a property over seeded random cases. One {@link Random} per property, seeded from {@link #SEED} and the
 * property's name, so that a run replays exactly; a failure names the seed, the property, the case and the case's
 * inputs. {@code -Dproperty.seed=N} runs other cases.
 */
public final class Cases {
  public static final long SEED = Long.getLong("property.seed", 0x1D14_5EEDL);

  private Cases() {}

  /** One case of a property. */
  public interface Body {
    void run(Random random, Case c);
  }

  /** One case per value: every one of a generator's special values, the rest of the case random. */
  public interface EachBody<T> {
    void run(T value, Random random, Case c);
  }

  /** {@code count} random cases of {@code property}. */
  public static void run(String property, int count, Body body) {
    Random random = new Random(SEED ^ property.hashCode());
    for (int i = 0; i < count; i++) {
      Case c = new Case(String.format("seed %d (-Dproperty.seed), %s case %d", SEED, property, i));
      check(c, () -> body.run(random, c));
    }
  }

  /** One case of {@code property} for each of {@code values}. */
  public static <T> void each(String property, List<T> values, EachBody<T> body) {
    Random random = new Random(SEED ^ (property + "/each").hashCode());
    for (int i = 0; i < values.size(); i++) {
      T value = values.get(i);
      Case c = new Case(String.format("seed %d (-Dproperty.seed), %s special value %d", SEED, property, i));
      check(c, () -> body.run(value, random, c));
    }
  }

  /** Percent of the counted cases that were {@code kind}: for the checks that a property is not vacuous. */
  public static <K> double percent(Map<K, Integer> counts, K kind) {
    int total = counts.values().stream().mapToInt(Integer::intValue).sum();
    return 100.0 * counts.getOrDefault(kind, 0) / total;
  }

  /** For the failure of such a check: the seed, and how many cases were of each kind. */
  public static String tally(Map<?, Integer> counts) {
    return String.format("seed %d (-Dproperty.seed), cases %s", SEED, counts);
  }

  private static void check(Case c, Runnable run) {
    try {
      run.run();
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(c + "\n" + e.getMessage(), e);
    }
  }

  /** One case's inputs, for its failure message. */
  public static final class Case {
    private final List<String> inputs = new ArrayList<>();

    Case(String name) {
      inputs.add(name);
    }

    /** Notes an input and returns it. */
    public <T> T with(String name, T value) {
      inputs.add(name + "=" + shown(value));
      return value;
    }

    @Override
    public String toString() {
      return String.join(", ", inputs);
    }

    private static String shown(Object value) {
      if (value instanceof String s) {
        return '"' + show(s) + '"';
      }
      if (value instanceof byte[] b) {
        return b.length + " bytes";
      }
      if (value instanceof List<?> list) {
        return list.stream().map(Case::shown).toList().toString();
      }
      if (value instanceof Object[] a) {
        return shown(Arrays.asList(a));
      }
      return String.valueOf(value);
    }
  }

  /** The text with everything outside printable ASCII as \\uXXXX, so that a failure report can be read. */
  public static String show(String s) {
    StringBuilder out = new StringBuilder();
    s.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
        : String.format("\\u%04x", c)));
    return out.toString();
  }
}
