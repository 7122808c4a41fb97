package dev.presign.gateway.config;

import java.util.List;

/** Every configuration problem found at start, reported together. */
public final class ConfigException extends RuntimeException {
  private final List<String> errors;

  public ConfigException(List<String> errors) {
    super("invalid configuration:\n  - " + String.join("\n  - ", errors));
    this.errors = List.copyOf(errors);
  }

  public List<String> errors() {
    return errors;
  }
}
