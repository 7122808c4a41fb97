package dev.presign.gateway.http;

import dev.presign.gateway.metrics.GatewayMetrics;
import io.vertx.core.http.HttpMethod;

/**
 * One row of the endpoint table: a method and an exact path, the operation's name (the {@code operation} label of
 * {@code presign_requests_total} and the audit event's {@code operation}), what answers it, and the largest body
 * it reads; {@code allow} is every method its path takes (the 405's {@code Allow}, a preflight's allowed methods), and
 * {@code messageMember} puts the problem's detail in a {@code message} member too (what Uppy shows its user).
 */
public record Endpoint(HttpMethod method, String path, String operation, Operation handler, long bodyLimit,
                       GatewayMetrics.Outcomes outcomes, String allow, boolean messageMember) {
  public Endpoint(HttpMethod method, String path, String operation, Operation handler, long bodyLimit,
                  GatewayMetrics.Outcomes outcomes) {
    this(method, path, operation, handler, bodyLimit, outcomes, method.name(), false);
  }
}
