package dev.presign.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;

/** Asserts that an answer is an RFC 9457 problem with the given status, and returns its body. */
public final class Problem {
  private Problem() {}

  public static JsonObject assertProblem(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("title")).isNotBlank();
    assertThat(body.getString("detail")).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    return body;
  }
}
