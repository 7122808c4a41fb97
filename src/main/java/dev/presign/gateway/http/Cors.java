package dev.presign.gateway.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * CORS for the API endpoints, decided by the pipeline so that a refusal is counted and audited like any other
 * answer. Origins come from {@code CORS_ALLOWED_ORIGINS}, methods from the endpoint table.
 */
final class Cors {
  static final CharSequence ALLOW_ORIGIN = HttpHeaders.createOptimized("Access-Control-Allow-Origin");
  static final CharSequence EXPOSE_HEADERS = HttpHeaders.createOptimized("Access-Control-Expose-Headers");
  static final CharSequence REQUEST_METHOD = HttpHeaders.createOptimized("Access-Control-Request-Method");
  private static final CharSequence ALLOW_METHODS = HttpHeaders.createOptimized("Access-Control-Allow-Methods");
  private static final CharSequence ALLOW_HEADERS = HttpHeaders.createOptimized("Access-Control-Allow-Headers");
  private static final CharSequence MAX_AGE = HttpHeaders.createOptimized("Access-Control-Max-Age");
  private static final CharSequence ORIGIN = HttpHeaders.createOptimized("Origin");
  private static final CharSequence EXPOSED = HttpHeaders.createOptimized("X-Request-Id");
  private static final CharSequence ALLOWED_HEADERS = HttpHeaders.createOptimized("Authorization, Content-Type, X-Request-Id");
  /** Browsers cap it (Chromium at 2 h); 10 min keeps a changed configuration from lingering. */
  private static final CharSequence PREFLIGHT_MAX_AGE = HttpHeaders.createOptimized("600");

  private final Set<String> origins;

  Cors(Set<String> origins) {
    this.origins = Set.copyOf(origins);
  }

  boolean allows(String origin) {
    return origins.contains(origin);
  }

  /** The headers every answer to an allowed origin carries. */
  static void allow(HttpServerResponse response, String origin) {
    response.putHeader(ALLOW_ORIGIN, origin).putHeader(HttpHeaders.VARY, ORIGIN).putHeader(EXPOSE_HEADERS, EXPOSED);
  }

  /** Answers a preflight from an allowed origin for an endpoint that takes {@code methods}. */
  static void preflight(HttpServerResponse response, String methods) {
    response.setStatusCode(204).putHeader(ALLOW_METHODS, methods).putHeader(ALLOW_HEADERS, ALLOWED_HEADERS)
        .putHeader(MAX_AGE, PREFLIGHT_MAX_AGE).end();
  }

  static ProblemException refused(String origin) {
    return new ProblemException(403, "Forbidden", "origin '" + origin.replaceAll("[^\\x20-\\x7e]", "?")
        + "' is not allowed to call this API (CORS_ALLOWED_ORIGINS)", new JsonObject().put("rule", "cors-origin"));
  }

  static String origin(io.vertx.core.http.HttpServerRequest request) {
    return request.getHeader(ORIGIN);
  }
}
