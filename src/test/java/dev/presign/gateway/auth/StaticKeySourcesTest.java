package dev.presign.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.support.Jwts;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys from configuration instead of a JWKS URL: a PEM file made at test time, and an HMAC secret. */
class StaticKeySourcesTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef-test-only";

  static Map<String, String> envWithout(TestIssuer issuer) {
    Map<String, String> env = TestGateway.env(issuer, null);
    env.remove("JWT_JWKS_URL");
    return env;
  }

  static JsonObject header(String alg, String kid) {
    JsonObject h = new JsonObject().put("alg", alg).put("typ", "JWT");
    return kid == null ? h : h.put("kid", kid);
  }

  @Test
  void a_pem_public_key_file_verifies_tokens_whatever_their_kid(@TempDir Path dir) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair pair = gen.generateKeyPair();
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    Path file = Files.writeString(dir.resolve("issuer.pem"), pem);
    try (TestIssuer issuer = new TestIssuer()) {
      Map<String, String> env = envWithout(issuer);
      env.put("JWT_PUBLIC_KEY_FILE", file.toString());
      env.put("JWT_ALGORITHMS", "RS256");
      try (TestGateway gw = TestGateway.start(env)) {
        for (String kid : new String[] {null, "issuer-key-2026"}) {
          String token = Jwts.sign(header("RS256", kid), TestIssuer.claims("alice"), pair.getPrivate());
          assertThat(gw.presign(token, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(200);
        }
        KeyPair other = gen.generateKeyPair();
        String forged = Jwts.sign(header("RS256", null), TestIssuer.claims("alice"), other.getPrivate());
        assertThat(gw.presign(forged, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(401);
      }
    }
  }

  @Test
  void an_hmac_secret_verifies_hs256_tokens_and_nothing_else() {
    try (TestIssuer issuer = new TestIssuer()) {
      issuer.newKey("k1", "RS256", false);
      Map<String, String> env = envWithout(issuer);
      env.put("JWT_HMAC_SECRET", SECRET);
      try (TestGateway gw = TestGateway.start(env)) {
        var key = new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        String good = Jwts.sign(header("HS256", null), TestIssuer.claims("alice"), key);
        assertThat(gw.presign(good, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(200);
        var wrong = new SecretKeySpec("another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        String forged = Jwts.sign(header("HS256", null), TestIssuer.claims("alice"), wrong);
        assertThat(gw.presign(forged, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(401);
        String rs = issuer.token("k1", "alice");
        assertThat(gw.presign(rs, new JsonObject().put("filename", "a.txt")).statusCode()).isEqualTo(401);
      }
    }
  }

  @Test
  void a_symmetric_key_published_in_a_jwks_is_never_trusted() {
    try (TestIssuer issuer = new TestIssuer()) {
      issuer.publishRaw(new JsonObject().put("kty", "oct").put("alg", "HS256").put("kid", "shared")
          .put("k", Jwts.hmacKeyJwkValue(SECRET.getBytes(StandardCharsets.UTF_8))));
      Map<String, String> env = TestGateway.env(issuer, null);
      env.put("JWT_ALGORITHMS", "HS256,RS256");
      // Anyone can read a JWKS: an HMAC key found there would let anyone sign. The only key is refused.
      assertThatThrownBy(() -> TestGateway.start(env)).hasMessageContaining("no usable JWT verification key");
    }
  }
}
