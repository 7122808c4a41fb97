package dev.presign.gateway.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A web app's own origin for browser tests: a JDK HTTP server on 127.0.0.1, port 0, serving a fixed map of URL
 * paths to files (GET only, anything else 404), so that calls to the gateway and to S3 are cross-origin.
 */
public final class StaticSite implements AutoCloseable {
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

  private final HttpServer server;

  private StaticSite(HttpServer server) {
    this.server = server;
  }

  public static StaticSite start(Map<String, Path> files) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      Path file = files.get(exchange.getRequestURI().getPath());
      try (exchange) {
        if (file == null || !exchange.getRequestMethod().equals("GET")) {
          exchange.sendResponseHeaders(404, -1);
          return;
        }
        byte[] body = Files.readAllBytes(file);
        String name = file.getFileName().toString();
        exchange.getResponseHeaders().add("Content-Type",
            TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "application/octet-stream"));
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
    return new StaticSite(server);
  }

  /** {@code http://127.0.0.1:PORT}, the Origin a browser sends from these pages. */
  public String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
