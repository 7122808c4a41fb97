package dev.presign.gateway.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * A generator of test inputs over a seeded {@link Random}, and the few ways the property tests combine them. Sizes and
 * character ranges hit their edges often (empty, shortest, longest, first and last character), as a property-testing
 * library's edge cases would; everything else is uniform.
 */
@FunctionalInterface
public interface Gen<T> {
  String ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  String ALPHANUMERIC = ALPHA + "0123456789";

  T next(Random r);

  default <U> Gen<U> map(Function<? super T, ? extends U> f) {
    return r -> f.apply(next(r));
  }

  /** Lists of {@code min} to {@code max} elements, drawn one by one. */
  default Gen<List<T>> list(int min, int max) {
    return r -> {
      int n = size(r, min, max);
      List<T> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        list.add(next(r));
      }
      return list;
    };
  }

  /** The elements' strings joined, as one string. */
  default Gen<String> joined(int min, int max) {
    return list(min, max).map(parts -> String.join("", parts.stream().map(String::valueOf).toList()));
  }

  static <T> Gen<T> constant(T value) {
    return r -> value;
  }

  @SafeVarargs
  static <T> Gen<T> of(T... values) {
    return of(List.of(values));
  }

  static <T> Gen<T> of(List<T> values) {
    List<T> copy = List.copyOf(values);
    return r -> copy.get(r.nextInt(copy.size()));
  }

  /** One of the generators, each as often as its weight says. */
  @SafeVarargs
  static <T> Gen<T> frequency(Weighted<? extends T>... choices) {
    int total = 0;
    for (Weighted<? extends T> w : choices) {
      total += w.weight();
    }
    int sum = total;
    return r -> {
      int at = r.nextInt(sum);
      for (Weighted<? extends T> w : choices) {
        at -= w.weight();
        if (at < 0) {
          return w.gen().next(r);
        }
      }
      throw new AssertionError("unreachable");
    };
  }

  static <T> Weighted<T> w(int weight, Gen<? extends T> gen) {
    return new Weighted<>(weight, gen);
  }

  /** A generator and how often {@link #frequency} picks it. */
  record Weighted<T>(int weight, Gen<? extends T> gen) {}

  /** Strings of {@code min} to {@code max} characters from {@code alphabet} (code points, so emoji stay whole). */
  static Gen<String> strings(String alphabet, int min, int max) {
    int[] cps = alphabet.codePoints().toArray();
    return r -> {
      int n = size(r, min, max);
      StringBuilder s = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        s.appendCodePoint(cps[edgeOrUniform(r, 0, cps.length - 1)]);
      }
      return s.toString();
    };
  }

  /** Strings of {@code min} to {@code max} chars from {@code first} to {@code last}, both ends often. */
  static Gen<String> strings(char first, char last, int min, int max) {
    return r -> {
      int n = size(r, min, max);
      StringBuilder s = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        s.append((char) edgeOrUniform(r, first, last));
      }
      return s.toString();
    };
  }

  /** Any UTF-16 chars at all: controls, noncharacters, private use, and lone or paired surrogates. */
  static Gen<String> anyStrings(int max) {
    return strings(Character.MIN_VALUE, Character.MAX_VALUE, 0, max);
  }

  /** One char from {@code first} to {@code last}, as a string. */
  static Gen<String> charIn(char first, char last) {
    return strings(first, last, 1, 1);
  }

  /** Any long: the edges of the range, small ones often, every number of digits, and uniform ones. */
  static Gen<Long> longs() {
    Gen<Long> edges = of(0L, 1L, -1L, 2L, -2L, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE,
        Long.MAX_VALUE - 1);
    return r -> switch (r.nextInt(8)) {
      case 0 -> edges.next(r);
      case 1, 2, 3 -> (long) r.nextInt(201) - 100;
      case 4, 5, 6 -> {
        int digits = 1 + r.nextInt(19);
        long low = (long) Math.pow(10, digits - 1);
        long high = digits == 19 ? Long.MAX_VALUE : (long) Math.pow(10, digits) - 1;
        long n = low + (long) (r.nextDouble() * (high - low));
        yield r.nextBoolean() ? n : -n;
      }
      default -> r.nextLong();
    };
  }

  /** Byte arrays of 0 to {@code max} random bytes. */
  static Gen<byte[]> bytes(int max) {
    return r -> {
      byte[] b = new byte[size(r, 0, max)];
      r.nextBytes(b);
      return b;
    };
  }

  /** A size from {@code min} to {@code max}: each end one time in eight, a small one one in four, else uniform. */
  static int size(Random r, int min, int max) {
    return switch (r.nextInt(8)) {
      case 0 -> min;
      case 1 -> max;
      case 2, 3 -> min + r.nextInt(Math.min(max - min, 4) + 1);
      default -> min + r.nextInt(max - min + 1);
    };
  }

  /** From {@code first} to {@code last}, each end one time in sixteen. */
  private static int edgeOrUniform(Random r, int first, int last) {
    return switch (r.nextInt(16)) {
      case 0 -> first;
      case 1 -> last;
      default -> first + r.nextInt(last - first + 1);
    };
  }
}
