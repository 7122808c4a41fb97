package dev.presign.gateway.http;

import io.vertx.core.json.JsonObject;

/** An error answer in RFC 9457 form; handlers fail the context with it and {@link Problems} writes it. */
public final class ProblemException extends RuntimeException {
  private final int status;
  private final String title;
  private final JsonObject extensions;

  public ProblemException(int status, String title, String detail) {
    this(status, title, detail, new JsonObject());
  }

  public ProblemException(int status, String title, String detail, JsonObject extensions) {
    super(detail, null, false, false);
    this.status = status;
    this.title = title;
    this.extensions = extensions;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  public JsonObject extensions() {
    return extensions;
  }
}
