package dev.presign.gateway.http;

import dev.presign.gateway.auth.AuthException;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.signing.CredentialsSnapshot.CredentialsUnavailableException;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import java.util.concurrent.TimeUnit;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where errors become {@code application/problem+json} answers. */
public final class Problems {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  public static final String MEDIA_TYPE = "application/problem+json";
  /** How long a refused client may go on sending before its connection is closed regardless. */
  static final long LINGER_MILLIS = 2_000;

  private Problems() {}

  /** Failure handler for every route and the router's error handler for 404/405/413/… */
  public static void handle(RoutingContext ctx) {
    if (ctx.response().headWritten() || ctx.response().ended()) {
      ctx.response().reset();
      return;
    }
    write(ctx, toProblem(ctx.failure(), ctx.statusCode()));
  }

  public static ProblemException toProblem(Throwable failure, int status) {
    if (failure instanceof ProblemException p) {
      return p;
    }
    if (failure instanceof AuthException e) {
      return new ProblemException(401, "Unauthorized", e.getMessage());
    }
    if (failure instanceof PolicyException e) {
      return e.isDenial()
          ? new ProblemException(403, "Forbidden", e.getMessage(), new JsonObject().put("rule", e.rule()))
          : new ProblemException(400, "Bad Request", e.getMessage(), new JsonObject().put("field", e.field()));
    }
    if (failure instanceof CredentialsUnavailableException e) {
      return new ProblemException(503, "Service Unavailable", e.getMessage() + "; retry shortly");
    }
    if (failure != null && status < 400) {
      // An unexpected exception: log it, never echo it.
      LOG.error("unhandled failure", failure);
      return new ProblemException(500, "Internal Server Error", "the gateway failed to handle this request");
    }
    return switch (status) {
      case 400 -> new ProblemException(400, "Bad Request", "the request is malformed");
      case 404 -> new ProblemException(404, "Not Found", "no such resource");
      case 405 -> new ProblemException(405, "Method Not Allowed", "this resource does not support that method");
      case 408 -> new ProblemException(408, "Request Timeout", "the request was not received in time");
      case 413 -> new ProblemException(413, "Content Too Large", "the request body is larger than this gateway accepts");
      case 415 -> new ProblemException(415, "Unsupported Media Type", "send the body as application/json");
      case 429 -> new ProblemException(429, "Too Many Requests", "too many requests for this caller; retry later");
      case 431 -> new ProblemException(431, "Request Header Fields Too Large", "request headers are too large");
      case 503 -> new ProblemException(503, "Service Unavailable", "the gateway is not ready; retry shortly");
      default -> {
        int code = status >= 400 && status < 600 ? status : 500;
        yield new ProblemException(code, code >= 500 ? "Internal Server Error" : "Error",
            code >= 500 ? "the gateway failed to handle this request" : "the request was refused");
      }
    };
  }

  public static JsonObject body(ProblemException p) {
    return new JsonObject()
        .put("type", "about:blank")
        .put("title", p.title())
        .put("status", p.status())
        .put("detail", p.getMessage())
        .mergeIn(p.extensions());
  }

  static void write(RoutingContext ctx, ProblemException p) {
    send(ctx.request(), p, ctx.get(ApiVerticle.REQUEST_ID));
  }

  /**
   * Ends a connection whose client may still be sending (RFC 9112 §9.6, "lingering close"): closing a socket with
   * unread bytes makes the kernel send a reset, and a client still writing its body then loses the answer it was
   * sent (a 413 becomes "connection reset"). So the answer is followed by a FIN, what the client still sends is read
   * and dropped, and the socket closes when the client closes its side, or after {@link #LINGER_MILLIS} at most.
   */
  static void closeAfterAnswer(HttpConnection connection) {
    if (connection instanceof Http1xServerConnection http1
        && http1.channelHandlerContext().channel() instanceof DuplexChannel channel && channel.isActive()) {
      channel.shutdownOutput();
      channel.eventLoop().schedule(() -> {
        channel.close();
      }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    connection.close();
  }

  /** Writes {@code p} as the answer to {@code request}; the request id, when known, goes into the body too. */
  static void send(HttpServerRequest request, ProblemException p, String requestId) {
    send(request, p, requestId, false);
  }

  /** As above; with {@code messageMember} the detail is also the body's {@code message} (Uppy shows it). */
  static void send(HttpServerRequest request, ProblemException p, String requestId, boolean messageMember) {
    JsonObject body = body(p);
    if (messageMember) {
      body.put("message", p.getMessage());
    }
    if (requestId != null) {
      body.put("requestId", requestId);
    }
    HttpServerResponse response = request.response().setStatusCode(p.status()).putHeader("Content-Type", MEDIA_TYPE)
        .putHeader("Cache-Control", "no-store");
    if (p.status() == 401) {
      response.putHeader("WWW-Authenticate",
          "Bearer realm=\"presign-gateway\", error=\"invalid_token\", error_description=\""
              + p.getMessage().replaceAll("[^\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]", "_") + "\"");
    }
    if (p.status() == 408 || p.status() == 413 || p.status() == 417) {
      // The rest of the body may still be on its way: the connection ends after this answer.
      response.putHeader("Connection", "close");
      response.end(body.encode()).onComplete(v -> closeAfterAnswer(request.connection()));
      return;
    }
    response.end(body.encode());
  }
}
