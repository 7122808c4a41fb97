package dev.presign.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** KeyRing and StaticKeys: every key is generated here, at test time; no key material is committed. */
class KeyRingTest {
  private static final Set<String> RS_AND_ES = Set.of("RS256", "ES256");
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static RSAPublicKey rsa;
  private static ECPublicKey p256;
  private static ECPublicKey p384;
  private static ECPublicKey p521;

  @BeforeAll
  static void generateKeys() throws Exception {
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    rsa = (RSAPublicKey) rsaGen.generateKeyPair().getPublic();
    p256 = (ECPublicKey) ec("secp256r1").getPublic();
    p384 = (ECPublicKey) ec("secp384r1").getPublic();
    p521 = (ECPublicKey) ec("secp521r1").getPublic();
  }

  // --- StaticKeys: PEM ---

  @Test
  void reads_an_rsa_pem_as_one_jwk_per_allowed_rsa_algorithm() {
    List<JsonObject> keys = StaticKeys.fromFile(pem(rsa), Set.of("RS256", "PS384", "ES256", "HS256"));

    assertThat(keys).extracting(k -> k.getString("alg")).containsExactly("PS384", "RS256");
    for (JsonObject key : keys) {
      assertThat(key.getString("kty")).isEqualTo("RSA");
      assertThat(key.getString("use")).isEqualTo("sig");
      assertThat(key.containsKey("kid")).isFalse();
      assertThat(key.getString("e")).isEqualTo("AQAB");
      assertThat(new BigInteger(1, Base64.getUrlDecoder().decode(key.getString("n")))).isEqualTo(rsa.getModulus());
      assertThat(key.getString("n")).doesNotContain("=", "+", "/");
      assertThat(key.containsKey("d")).isFalse();
    }
  }

  @Test
  void reads_ec_pems_with_the_curve_and_algorithm_they_imply() {
    assertEcJwk(StaticKeys.fromFile(pem(p256), Set.of("ES256")), p256, "P-256", "ES256", 32);
    assertEcJwk(StaticKeys.fromFile(pem(p384), Set.of("ES384")), p384, "P-384", "ES384", 48);
    assertEcJwk(StaticKeys.fromFile(pem(p521), Set.of("ES512")), p521, "P-521", "ES512", 66);
  }

  @Test
  void reads_several_pem_blocks_in_order_with_crlf_line_ends() {
    String text = "# issuer keys\r\n" + pem(rsa).replace("\n", "\r\n") + "\r\n" + pem(p256).replace("\n", "\r\n");

    List<JsonObject> keys = StaticKeys.fromFile(text, RS_AND_ES);

    assertThat(keys).extracting(k -> k.getString("kty") + ":" + k.getString("alg"))
        .containsExactly("RSA:RS256", "EC:ES256");
    assertThat(keys.get(0).getString("n")).isEqualTo(StaticKeys.b64(rsa.getModulus()));
    assertThat(keys.get(1).getString("x")).isEqualTo(StaticKeys.b64(p256.getW().getAffineX(), 32));
  }

  @Test
  void refuses_a_file_without_pem_block_jwk_or_jwks() {
    String pkcs1 = pem(rsa).replace("BEGIN PUBLIC KEY", "BEGIN RSA PUBLIC KEY")
        .replace("END PUBLIC KEY", "END RSA PUBLIC KEY");
    for (String text : List.of("", "hello", pkcs1)) {
      assertThatThrownBy(() -> StaticKeys.fromFile(text, RS_AND_ES))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("holds no '-----BEGIN PUBLIC KEY-----' block, JWK or JWKS");
    }
  }

  @Test
  void refuses_a_pem_block_that_is_not_a_public_key() {
    String junk = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getEncoder().encodeToString("not a key at all".getBytes(StandardCharsets.UTF_8))
        + "\n-----END PUBLIC KEY-----\n";
    assertThatThrownBy(() -> StaticKeys.fromFile(junk, RS_AND_ES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("JWT_PUBLIC_KEY_FILE: a PEM block is neither an RSA nor an EC public key");
  }

  @Test
  void says_which_algorithms_are_missing_when_a_pem_key_serves_none_of_them() {
    assertThatThrownBy(() -> StaticKeys.fromFile(pem(rsa), Set.of("ES256")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("can verify none of JWT_ALGORITHMS [ES256]");
  }

  // --- StaticKeys: JWK, JWKS, HMAC ---

  @Test
  void reads_a_single_jwk_file() {
    JsonObject jwk = rsaJwk().put("kid", "one");
    assertThat(StaticKeys.fromFile("  " + jwk.encodePrettily() + "\n", RS_AND_ES)).containsExactly(jwk);
  }

  @Test
  void reads_a_jwks_file_skipping_entries_that_are_not_objects() {
    JsonObject a = rsaJwk().put("kid", "a");
    JsonObject b = ecJwk(p256).put("kid", "b");
    String jwks = new JsonObject().put("keys", new JsonArray().add(a).add("junk").add(42).add(b)).encode();
    assertThat(StaticKeys.fromFile(jwks, RS_AND_ES)).containsExactly(a, b);
  }

  @Test
  void refuses_json_that_is_neither_jwk_nor_jwks() {
    for (String text : List.of("{not json", "{\"keys\": \"abc\"}")) {
      assertThatThrownBy(() -> StaticKeys.fromFile(text, RS_AND_ES))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("JWT_PUBLIC_KEY_FILE is neither a JWK nor a JWKS");
    }
  }

  @Test
  void turns_the_hmac_secret_into_one_oct_jwk_per_allowed_hs_algorithm() {
    List<JsonObject> keys = StaticKeys.fromSecret(SECRET, Set.of("HS512", "RS256", "HS256"));

    String k = Base64.getUrlEncoder().withoutPadding().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8));
    assertThat(keys).containsExactly(
        new JsonObject().put("kty", "oct").put("alg", "HS256").put("use", "sig").put("k", k),
        new JsonObject().put("kty", "oct").put("alg", "HS512").put("use", "sig").put("k", k));
    assertThat(StaticKeys.fromSecret(SECRET, RS_AND_ES)).isEmpty();
  }

  @Test
  void encodes_integers_as_unsigned_big_endian_base64url() {
    assertThat(StaticKeys.b64(BigInteger.valueOf(65537))).isEqualTo("AQAB");
    // 0x80 needs a sign byte in two's complement; JWK wants it dropped.
    assertThat(StaticKeys.b64(BigInteger.valueOf(0x80))).isEqualTo("gA");
    assertThat(StaticKeys.b64(BigInteger.ONE, 4)).isEqualTo("AAAAAQ");
    assertThat(StaticKeys.b64(BigInteger.valueOf(0xFFFF), 2)).isEqualTo("__8");
    // Zero is one zero byte, not nothing: only a sign byte in front of other bytes is dropped.
    assertThat(StaticKeys.b64(BigInteger.ZERO)).isEqualTo("AA");
  }

  // --- KeyRing ---

  @Test
  void keeps_usable_keys_and_their_kids_with_the_given_version() {
    JsonObject rs = rsaJwk().put("kid", "r1").put("alg", "RS256");
    JsonObject es = ecJwk(p256).put("kid", "e1");

    KeyRing ring = KeyRing.of(List.of(), List.of(rs, es), RS_AND_ES, 7);

    assertThat(ring.version()).isEqualTo(7);
    assertThat(ring.kids()).containsExactlyInAnyOrder("r1", "e1");
    assertThat(ring.keys()).extracting(k -> k.getString("kid")).containsExactly("r1", "e1");
    assertThat(ring.isEmpty()).isFalse();
  }

  @Test
  void gives_keys_without_alg_the_algorithm_their_type_implies_without_changing_the_input() {
    JsonObject rs = rsaJwk();
    JsonObject es384 = ecJwk(p384);

    KeyRing ring = KeyRing.of(List.of(), List.of(rs, es384), Set.of("RS256", "ES384"), 1);

    assertThat(ring.keys()).extracting(k -> k.getString("alg")).containsExactly("RS256", "ES384");
    assertThat(rs.containsKey("alg")).isFalse();
    assertThat(ring.kids()).isEmpty();
  }

  @Test
  void drops_keys_of_disallowed_algorithms() {
    KeyRing ring = KeyRing.of(List.of(), List.of(
        rsaJwk().put("kid", "rs512").put("alg", "RS512"),
        ecJwk(p384).put("kid", "implied-es384"),
        rsaJwk().put("kid", "none").put("alg", "none"),
        new JsonObject().put("kty", "OKP").put("crv", "Ed25519").put("x", "AAAA").put("kid", "eddsa"),
        rsaJwk().put("kid", "ok")), RS_AND_ES, 1);

    assertThat(ring.kids()).containsExactly("ok");
  }

  @Test
  void drops_encryption_keys() {
    KeyRing ring = KeyRing.of(List.of(), List.of(rsaJwk().put("kid", "enc").put("use", "enc"),
        rsaJwk().put("kid", "sig").put("use", "sig")), RS_AND_ES, 1);
    assertThat(ring.kids()).containsExactly("sig");
  }

  @Test
  void drops_private_keys() throws Exception {
    KeyPair pair = ec("secp256r1");
    var priv = (java.security.interfaces.ECPrivateKey) pair.getPrivate();
    JsonObject ecPrivate = ecJwk((ECPublicKey) pair.getPublic()).put("kid", "ec-private")
        .put("d", StaticKeys.b64(priv.getS(), 32));
    JsonObject rsaPrivate = rsaJwk().put("kid", "rsa-private").put("d", "AQAB");

    assertThat(KeyRing.of(List.of(), List.of(ecPrivate, rsaPrivate), RS_AND_ES, 1).isEmpty()).isTrue();
    // Not even when handed over as the configured secret.
    assertThat(KeyRing.of(List.of(ecPrivate, rsaPrivate), List.of(), RS_AND_ES, 1).isEmpty()).isTrue();
  }

  @Test
  void drops_symmetric_keys_from_a_jwks_even_beside_the_hmac_secret() {
    String jwks = new JsonObject().put("keys", new JsonArray()
        .add(new JsonObject().put("kty", "oct").put("kid", "shared").put("alg", "HS256")
            .put("k", Base64.getUrlEncoder().withoutPadding().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8))))
        .add(rsaJwk().put("kid", "rsa"))).encode();
    Set<String> algorithms = Set.of("RS256", "HS256");

    List<JsonObject> secret = StaticKeys.fromSecret("another-secret-of-at-least-32-bytes!", algorithms);

    KeyRing ring = KeyRing.of(secret, StaticKeys.fromFile(jwks, algorithms), algorithms, 1);

    assertThat(ring.kids()).containsExactly("rsa");
    assertThat(ring.keys()).extracting(k -> k.getString("kty")).containsExactly("oct", "RSA");
    assertThat(ring.keys().get(0)).isEqualTo(secret.get(0));
  }

  @Test
  void keeps_symmetric_keys_only_from_the_hmac_secret() {
    Set<String> algorithms = Set.of("HS256", "HS384");
    KeyRing ring = KeyRing.of(StaticKeys.fromSecret(SECRET, algorithms), List.of(), algorithms, 1);

    assertThat(ring.keys()).extracting(k -> k.getString("alg")).containsExactly("HS256", "HS384");
    assertThat(KeyRing.of(List.of(), StaticKeys.fromSecret(SECRET, algorithms), algorithms, 1).isEmpty()).isTrue();
  }

  @Test
  void drops_malformed_keys() {
    // Handed over as secret keys so that no key is dropped merely for being symmetric.
    KeyRing ring = KeyRing.of(List.of(
        new JsonObject().put("kty", "RSA").put("alg", "RS256").put("kid", "no-modulus").put("e", "AQAB"),
        new JsonObject().put("kty", "oct").put("alg", "RS256").put("kid", "oct-as-rsa").put("k", "c2VjcmV0"),
        new JsonObject().put("kty", "RSA").put("alg", "HS256").put("kid", "rsa-as-hmac")
            .put("n", StaticKeys.b64(rsa.getModulus())).put("e", "AQAB"),
        new JsonObject().put("kid", "no-kty").put("alg", "RS256")),
        List.of(), Set.of("RS256", "HS256"), 1);

    assertThat(ring.isEmpty()).isTrue();
    assertThat(ring.kids()).isEmpty();
  }

  @Test
  void keeps_static_pem_keys_end_to_end() {
    Set<String> algorithms = Set.of("RS256", "PS256", "ES256");
    List<JsonObject> keys = StaticKeys.fromFile(pem(rsa) + pem(p256), algorithms);

    KeyRing ring = KeyRing.of(List.of(), keys, algorithms, 1);

    assertThat(ring.keys()).extracting(k -> k.getString("kty") + ":" + k.getString("alg"))
        .containsExactly("RSA:PS256", "RSA:RS256", "EC:ES256");
    assertThat(ring.kids()).isEmpty();
  }

  @Test
  void the_empty_ring_has_no_keys() {
    assertThat(KeyRing.EMPTY.isEmpty()).isTrue();
    assertThat(KeyRing.EMPTY.version()).isZero();
    assertThat(KeyRing.of(List.of(), List.of(), RS_AND_ES, 3).isEmpty()).isTrue();
  }

  // --- helpers ---

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec(curve));
    return gen.generateKeyPair();
  }

  /** A SubjectPublicKeyInfo PEM, as openssl writes it, built from a key generated in this test. */
  private static String pem(PublicKey key) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
    return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
  }

  private static JsonObject rsaJwk() {
    return new JsonObject().put("kty", "RSA").put("n", StaticKeys.b64(rsa.getModulus()))
        .put("e", StaticKeys.b64(rsa.getPublicExponent()));
  }

  private static JsonObject ecJwk(ECPublicKey key) {
    int bits = key.getParams().getCurve().getField().getFieldSize();
    int len = (bits + 7) / 8;
    String crv = bits == 256 ? "P-256" : bits == 384 ? "P-384" : "P-521";
    return new JsonObject().put("kty", "EC").put("crv", crv)
        .put("x", StaticKeys.b64(key.getW().getAffineX(), len)).put("y", StaticKeys.b64(key.getW().getAffineY(), len));
  }

  private static void assertEcJwk(List<JsonObject> keys, ECPublicKey key, String crv, String alg, int coordBytes) {
    assertThat(keys).hasSize(1);
    JsonObject jwk = keys.get(0);
    assertThat(jwk.getString("kty")).isEqualTo("EC");
    assertThat(jwk.getString("crv")).isEqualTo(crv);
    assertThat(jwk.getString("alg")).isEqualTo(alg);
    assertThat(jwk.containsKey("kid")).isFalse();
    byte[] x = Base64.getUrlDecoder().decode(jwk.getString("x"));
    byte[] y = Base64.getUrlDecoder().decode(jwk.getString("y"));
    assertThat(x).hasSize(coordBytes);
    assertThat(y).hasSize(coordBytes);
    assertThat(new BigInteger(1, x)).isEqualTo(key.getW().getAffineX());
    assertThat(new BigInteger(1, y)).isEqualTo(key.getW().getAffineY());
    assertThat(KeyRing.of(List.of(), keys, Set.of(alg), 1).keys()).hasSize(1);
  }
}
