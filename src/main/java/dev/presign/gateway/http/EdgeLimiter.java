package dev.presign.gateway.http;

import dev.presign.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A per-client-address limit on the one expensive thing an unauthenticated request can buy: a token signature
 * verification (ES256 costs 1.2-2 ms of CPU). It is charged only where that verification is about to run, that is
 * for a token the verified-token cache does not hold and whose claims pass the cheap checks; a cached token pays
 * nothing. Over the limit the answer is 429 with Retry-After before any cryptography, counted in
 * {@code presign_edge_limited_total} and in {@code presign_requests_total{outcome="rate_limited"}}, and audited like
 * any refusal.
 *
 * <p>The client address is the connection's peer, or with {@code CLIENT_IP_HEADER} the address the proxy in front
 * recorded: the last entry of {@code X-Forwarded-For} (the one that proxy appended: a client can forge the entries
 * before it, not that one), or the whole value of any other header (e.g. {@code X-Real-IP}). Only the proxy must be
 * able to reach the API port (the NetworkPolicy admits only the ingress controller), or the header is the client's.
 */
public final class EdgeLimiter implements Consumer<Object> {
  /** Client addresses tracked at once; past it new ones share one bucket until the next eviction (RateLimiter). */
  static final int MAX_CLIENTS = 50_000;
  private static final int MAX_ADDRESS_CHARS = 64;

  private final RateLimiter perClient;
  private final String clientIpHeader;
  private final Counter limited;

  EdgeLimiter(double perSecond, int burst, String clientIpHeader, LongSupplier nanoClock, Counter limited) {
    this.perClient = new RateLimiter(perSecond, burst, nanoClock, MAX_CLIENTS);
    this.clientIpHeader = clientIpHeader;
    this.limited = limited;
  }

  public static EdgeLimiter of(GatewayConfig.Edge config, Counter limited) {
    return new EdgeLimiter(config.perSecond(), config.burst(), config.clientIpHeader(), System::nanoTime, limited);
  }

  public boolean enabled() {
    return perClient.enabled();
  }

  /** Its buckets, for the periodic eviction of idle clients. */
  public RateLimiter buckets() {
    return perClient;
  }

  /** Charges {@code request}'s client one verification; throws a 429 problem when it has none left. */
  @Override
  public void accept(Object request) {
    HttpServerRequest r = (HttpServerRequest) request;
    long waitNanos = perClient.acquire(clientAddress(r));
    if (waitNanos > 0) {
      limited.increment();
      throw Pipeline.rateLimited(r, waitNanos + perClient.intervalNanos(),
          "too many new tokens to verify from this client address", " (a token already verified here is not limited)");
    }
  }

  String clientAddress(HttpServerRequest request) {
    if (clientIpHeader != null) {
      String value = request.getHeader(clientIpHeader);
      if (value != null) {
        int comma = value.lastIndexOf(',');
        String last = (comma < 0 ? value : value.substring(comma + 1)).strip();
        if (!last.isEmpty() && last.length() <= MAX_ADDRESS_CHARS) {
          return last;
        }
      }
    }
    SocketAddress peer = request.remoteAddress();
    return peer == null || peer.hostAddress() == null ? "unknown" : peer.hostAddress();
  }
}
