package dev.presign.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.presign.gateway.metrics.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A connection that Vert.x accepted before its server's metrics existed (the server's port opens, and a probe
 * connects, before Vert.x's bind listener has created them) has no socket metric, and its requests are then
 * reported with none: vertx-micrometer threw a NullPointerException at {@code requestBegin} and the request was never
 * answered (seen in about one start in four of the packaged jar polled every millisecond). These are the calls
 * Vert.x makes for such a connection, on the metrics of the Vertx the gateway builds.
 */
class ServerMetricsRaceTest {
  final PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
  final Vertx vertx = Gateway.newVertx(new VertxOptions().setEventLoopPoolSize(1), registry,
      "server-metrics-race-test");

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  @SuppressWarnings("unchecked")
  void a_request_on_a_connection_without_socket_metric_goes_through_uncounted() {
    HttpServerMetrics<Object, Object, Object> metrics = (HttpServerMetrics<Object, Object, Object>)
        ((VertxInternal) vertx).metrics().createHttpServerMetrics(new HttpServerOptions(),
            SocketAddress.inetSocketAddress(9090, "127.0.0.1"));
    SocketAddress remote = SocketAddress.inetSocketAddress(40000, "127.0.0.1");
    HttpRequest request = request(remote);
    HttpResponse response = response();

    assertThatCode(() -> {
      Object requestMetric = metrics.requestBegin(null, request);
      metrics.bytesRead(null, remote, 64);
      metrics.requestEnd(requestMetric, request, 0);
      metrics.requestRouted(requestMetric, "/health/live");
      metrics.responseBegin(requestMetric, response);
      metrics.bytesWritten(null, remote, 38);
      metrics.responseEnd(requestMetric, response, 2);
      metrics.exceptionOccurred(null, remote, new java.io.IOException("reset"));
      metrics.disconnected(null, remote);
    }).doesNotThrowAnyException();
    assertThat(registry.find("vertx.http.server.requests").counters()).as("not counted: no socket metric").isEmpty();

    // A connection with its socket metric is reported as before.
    Object socket = metrics.connected(remote, "127.0.0.1");
    Object requestMetric = metrics.requestBegin(socket, request);
    metrics.requestRouted(requestMetric, "/health/live");
    metrics.requestEnd(requestMetric, request, 0);
    metrics.responseBegin(requestMetric, response);
    metrics.responseEnd(requestMetric, response, 2);
    metrics.disconnected(socket, remote);
    assertThat(registry.get("vertx.http.server.requests").tag("route", "/health/live").tag("code", "200")
        .counter().count()).isEqualTo(1.0);
  }

  @Test
  void requests_on_a_real_server_are_still_counted_by_route_method_and_code() throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(r -> {
      r.routed("/health/live");
      r.response().end("ok");
    }).listen(0, "127.0.0.1").await();
    HttpClient http = HttpClient.newHttpClient();
    java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.actualPort() + "/health/live")).build(), BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(registry.get("vertx.http.server.response.time").tag("route", "/health/live").tag("method", "GET")
        .tag("code", "200").timer().count()).isEqualTo(1);
  }

  private static HttpRequest request(SocketAddress remote) {
    return new HttpRequest() {
      @Override
      public int id() {
        return 1;
      }

      @Override
      public String uri() {
        return "/health/live";
      }

      @Override
      public String absoluteURI() {
        return "http://127.0.0.1:9090/health/live";
      }

      @Override
      public HttpMethod method() {
        return HttpMethod.GET;
      }

      @Override
      public MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
      }

      @Override
      public SocketAddress remoteAddress() {
        return remote;
      }
    };
  }

  private static HttpResponse response() {
    return new HttpResponse() {
      @Override
      public int statusCode() {
        return 200;
      }

      @Override
      public MultiMap headers() {
        return MultiMap.caseInsensitiveMultiMap();
      }
    };
  }
}
