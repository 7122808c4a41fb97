package dev.presign.gateway.policy;

/**
 * A request the policy refuses. {@code field} names the request field that is wrong (a 400), or is null when
 * the request is well formed but a rule denies it (a 403 naming {@code rule}).
 */
public final class PolicyException extends RuntimeException {
  private final String rule;
  private final String field;

  private PolicyException(String rule, String field, String detail) {
    super(detail, null, false, false);
    this.rule = rule;
    this.field = field;
  }

  public static PolicyException invalid(String field, String detail) {
    return new PolicyException(null, field, detail);
  }

  public static PolicyException denied(String rule, String detail) {
    return new PolicyException(rule, null, detail);
  }

  public String rule() {
    return rule;
  }

  public String field() {
    return field;
  }

  public boolean isDenial() {
    return rule != null;
  }
}
