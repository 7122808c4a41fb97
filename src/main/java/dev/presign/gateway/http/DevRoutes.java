package dev.presign.gateway.http;

import dev.presign.gateway.dev.DevIssuer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** Dev mode only: the dev issuer's JWKS and token minting, on the routers that serve them. */
final class DevRoutes {
  private DevRoutes() {}

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
