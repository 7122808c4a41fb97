package dev.presign.gateway.http;

import dev.presign.gateway.metrics.GatewayMetrics;
import io.vertx.core.http.HttpMethod;

/**
 * One row of the endpoint table: a method and an exact path, the operation's name (the {@code operation} label of
 * {@code presign_requests_total} and the audit event's {@code operation}), what answers it, and the largest body
 * it reads.
 */
public record Endpoint(HttpMethod method, String path, String operation, Operation handler, long bodyLimit,
                       GatewayMetrics.Outcomes outcomes) {}
