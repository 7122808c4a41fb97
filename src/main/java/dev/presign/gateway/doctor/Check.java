package dev.presign.gateway.doctor;

import io.vertx.core.json.JsonObject;

/** One line of the doctor's report: a check, its outcome, what was seen, and on failure the seed's row and the fix. */
public record Check(String name, Status status, String detail, SeedRow row, String fix) {
  public enum Status { PASS, FAIL, SKIP }

  public static Check pass(String name, String detail) {
    return new Check(name, Status.PASS, detail, null, null);
  }

  public static Check skip(String name, String detail) {
    return new Check(name, Status.SKIP, detail, null, null);
  }

  public static Check fail(String name, String detail, SeedRow row, String fix) {
    return new Check(name, Status.FAIL, detail, row, fix);
  }

  public boolean failed() {
    return status == Status.FAIL;
  }

  /** {@code FAIL  probe PUT     403 SignatureDoesNotMatch: …}, then the row and the fix on their own lines. */
  public String toText() {
    StringBuilder line = new StringBuilder(String.format("%-4s  %-12s  %s", status, name, detail));
    if (row != null) {
      line.append(String.format("%n%20s%s", "seed row: ", row.symptom));
    }
    if (fix != null) {
      line.append(String.format("%n%20s%s", "fix: ", fix));
    }
    return line.toString();
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("check", name).put("status", status.name()).put("detail", detail);
    if (row != null) {
      json.put("row", row.name().toLowerCase()).put("symptom", row.symptom);
    }
    if (fix != null) {
      json.put("fix", fix);
    }
    return json;
  }
}
