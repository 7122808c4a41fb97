package dev.presign.gateway.http;

import dev.presign.gateway.dev.DevIssuer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** Dev mode only: the dev issuer's JWKS and token minting, and the upload demo page, on the routers that serve them. */
final class DevRoutes {
  private static final String DEMO_PAGE = "dev/demo.html";

  private DevRoutes() {}

  /** The upload demo page at {@code /}: read from the jar once, on a worker, then served from memory. */
  static void demoPage(Router router, Vertx vertx) {
    Future<Buffer> page = vertx.executeBlocking(() -> {
      try (InputStream in = DevRoutes.class.getClassLoader().getResourceAsStream(DEMO_PAGE)) {
        if (in == null) {
          throw new IllegalStateException(DEMO_PAGE + " is missing from the jar");
        }
        return Buffer.buffer(in.readAllBytes());
      }
    });
    router.get("/").handler(ctx -> page.onComplete(html -> {
      if (html.failed()) {
        ctx.fail(html.cause());
      } else {
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html.result());
      }
    }));
  }

  static void jwks(Router router, DevIssuer issuer) {
    router.get("/dev/jwks.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "max-age=300").end(issuer.jwks()));
  }

  static void token(Router router, DevIssuer issuer, BodyHandler body) {
    router.post("/dev/token").consumes("application/json").handler(body).handler(ctx -> {
      JsonObject request;
      try {
        request = ctx.body().asJsonObject();
      } catch (RuntimeException e) {
        request = null;
      }
      try {
        ctx.json(issuer.mint(request));
      } catch (DevIssuer.InvalidRequest e) {
        ctx.fail(new ProblemException(400, "Bad Request", e.getMessage(), new JsonObject().put("field", e.field())));
      }
    });
  }
}
