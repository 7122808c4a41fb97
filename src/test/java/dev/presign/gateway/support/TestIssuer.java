package dev.presign.gateway.support;

import com.sun.net.httpserver.HttpServer;
import dev.presign.gateway.auth.StaticKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real identity provider for tests: key pairs made at test time, a JWKS served over real HTTP (JDK server on
 * 127.0.0.1, port 0) whose content can rotate, and a count of fetches.
 */
public final class TestIssuer implements AutoCloseable {
  public static final String ISSUER = "https://issuer.test";
  public static final String AUDIENCE = "presign-gateway";

  private final HttpServer server;
  private final Map<String, KeyPair> keys = new ConcurrentHashMap<>();
  private final List<String> published = new CopyOnWriteArrayList<>();
  private final List<JsonObject> raw = new CopyOnWriteArrayList<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile int status = 200;
  private volatile long delayMillis;
  private volatile String bodyOverride;

  public TestIssuer() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/jwks.json", exchange -> {
      fetches.incrementAndGet();
      if (delayMillis > 0) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      String text = bodyOverride != null ? bodyOverride : jwks().encode();
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  public String jwksUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
  }

  public int fetchCount() {
    return fetches.get();
  }

  /** Makes a key pair (RSA 2048 for RS256, P-256 for ES256); published in the JWKS when {@code publish}. */
  public String newKey(String kid, String alg, boolean publish) {
    try {
      KeyPairGenerator gen;
      if (alg.equals("ES256")) {
        gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
      } else {
        gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
      }
      keys.put(kid, gen.generateKeyPair());
      if (publish) {
        published.add(kid);
      }
      return kid;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public void publish(String kid) {
    published.add(kid);
  }

  public void unpublish(String kid) {
    published.remove(kid);
  }

  /** Publishes a JWK as given, usable or not. */
  public void publishRaw(JsonObject jwk) {
    raw.add(jwk);
  }

  /** Answers after a delay (a slow identity provider). */
  public void answerDelay(long millis) {
    this.delayMillis = millis;
  }

  /** Answers this body instead of the JWKS (garbage, or null to go back to the JWKS). */
  public void answerBody(String body) {
    this.bodyOverride = body;
  }

  public void answerStatus(int status) {
    this.status = status;
  }

  public JsonObject jwks() {
    JsonArray array = new JsonArray();
    for (String kid : published) {
      KeyPair pair = keys.get(kid);
      if (pair.getPublic() instanceof RSAPublicKey rsa) {
        array.add(new JsonObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig").put("kid", kid)
            .put("n", StaticKeys.b64(rsa.getModulus())).put("e", StaticKeys.b64(rsa.getPublicExponent())));
      } else if (pair.getPublic() instanceof ECPublicKey ec) {
        array.add(new JsonObject().put("kty", "EC").put("alg", "ES256").put("use", "sig").put("kid", kid)
            .put("crv", "P-256").put("x", StaticKeys.b64(ec.getW().getAffineX(), 32))
            .put("y", StaticKeys.b64(ec.getW().getAffineY(), 32)));
      }
    }
    raw.forEach(array::add);
    return new JsonObject().put("keys", array);
  }

  /** Claims that pass every check, valid for ten minutes. */
  public static JsonObject claims(String sub) {
    long now = Instant.now().getEpochSecond();
    return new JsonObject().put("iss", ISSUER).put("aud", AUDIENCE).put("sub", sub).put("iat", now)
        .put("exp", now + 600);
  }

  public String token(String kid, JsonObject claims) {
    KeyPair pair = keys.get(kid);
    String alg = pair.getPublic() instanceof ECPublicKey ? "ES256" : "RS256";
    return Jwts.sign(new JsonObject().put("alg", alg).put("typ", "JWT").put("kid", kid), claims, pair.getPrivate());
  }

  public String token(String kid, String sub) {
    return token(kid, claims(sub));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
