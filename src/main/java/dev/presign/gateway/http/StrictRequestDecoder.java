package dev.presign.gateway.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.util.List;

/**
 * Vert.x's HTTP/1 request decoder, refusing what RFC 9112 §6 calls faulty framing instead of guessing. Netty
 * drops a Content-Length sent beside "Transfer-Encoding: chunked" and reads "chunked, identity" as chunked; a
 * proxy in front may read the same bytes with the other framing, and what one reads as body the other runs as
 * a second request (request smuggling). A message whose framing is in doubt becomes an invalid request: the
 * invalid-request handler answers 400 and closes the connection, and the bytes after it are never read as a
 * request. Versions other than HTTP/1.0 and 1.1 (HTTP/2's prior-knowledge preface among them) are refused the
 * same way, as 505.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {

  /** The request's framing cannot be trusted. */
  static final class FaultyFraming extends IllegalArgumentException {
    FaultyFraming(String message) {
      super(message, null);
    }
  }

  /** An HTTP version this server does not speak. */
  static final class UnsupportedVersion extends IllegalArgumentException {
    UnsupportedVersion() {
      super("only HTTP/1.1 and HTTP/1.0 are spoken here", null);
    }
  }

  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    String version = initialLine[2];
    if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
      throw new UnsupportedVersion();
    }
    return super.createMessage(initialLine);
  }

  /** Called once the headers are read, before the decoder chooses how to read the body: the place to check it. */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    HttpHeaders headers = message.headers();
    if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
      if (codings.size() != 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")) {
        throw new FaultyFraming("Transfer-Encoding must be exactly 'chunked'");
      }
      if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
        throw new FaultyFraming("a request must not have both Content-Length and Transfer-Encoding");
      }
      if (message.protocolVersion() == HttpVersion.HTTP_1_0) {
        throw new FaultyFraming("Transfer-Encoding is not part of HTTP/1.0");
      }
    }
    return super.isContentAlwaysEmpty(message);
  }
}
