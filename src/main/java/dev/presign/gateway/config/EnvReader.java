package dev.presign.gateway.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Reads typed values from an environment map, collecting every error instead of stopping at the first. */
final class EnvReader {
  private final Map<String, String> env;
  final List<String> errors = new ArrayList<>();

  EnvReader(Map<String, String> env) {
    this.env = env;
  }

  String string(String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  /** The value exactly as given (secrets: a space is part of the secret), or null when unset or empty. */
  String raw(String name) {
    String v = env.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  String required(String name, String why) {
    String v = string(name, null);
    if (v == null) {
      errors.add(name + " is required: " + why);
    }
    return v;
  }

  long number(String name, long fallback, long min, long max) {
    String v = string(name, null);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        errors.add(name + "=" + v + " is out of range [" + min + ", " + max + "]");
        return fallback;
      }
      return n;
    } catch (NumberFormatException e) {
      errors.add(name + "=" + v + " is not a whole number");
      return fallback;
    }
  }

  double decimal(String name, double fallback, double min, double max) {
    String v = string(name, null);
    if (v == null) {
      return fallback;
    }
    if (!v.matches("\\d{1,9}(\\.\\d{1,9})?")) {
      errors.add(name + "=" + v + " is not a plain decimal number such as 12.5");
      return fallback;
    }
    try {
      double d = Double.parseDouble(v);
      if (!(d >= min && d <= max)) {
        errors.add(name + "=" + v + " is out of range [" + min + ", " + max + "]");
        return fallback;
      }
      return d;
    } catch (NumberFormatException e) {
      errors.add(name + "=" + v + " is not a number");
      return fallback;
    }
  }

  int integer(String name, int fallback, int min, int max) {
    return (int) number(name, fallback, min, max);
  }

  boolean bool(String name, boolean fallback) {
    String v = string(name, null);
    if (v == null) {
      return fallback;
    }
    switch (v.toLowerCase()) {
      case "true", "1", "yes" -> { return true; }
      case "false", "0", "no" -> { return false; }
      default -> {
        errors.add(name + "=" + v + " is not a boolean (true/false)");
        return fallback;
      }
    }
  }

  List<String> list(String name, String fallback) {
    String v = string(name, fallback);
    if (v == null) {
      return List.of();
    }
    return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  URI httpUrl(String name) {
    String v = string(name, null);
    if (v == null) {
      return null;
    }
    try {
      URI uri = URI.create(v);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        errors.add(name + " must be an absolute http(s) URL");
        return null;
      }
      if (uri.getUserInfo() != null) {
        errors.add(name + " must not carry credentials (user:password@)");
        return null;
      }
      return uri;
    } catch (IllegalArgumentException e) {
      errors.add(name + " is not a valid URL");
      return null;
    }
  }

  void check(boolean ok, String error) {
    if (!ok) {
      errors.add(error);
    }
  }
}
