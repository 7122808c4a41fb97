package dev.presign.gateway.auth;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Keys given in configuration rather than fetched: a PEM or JWK(S) file, and an HMAC secret, all as JWK JSON. */
public final class StaticKeys {
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

  private StaticKeys() {}

  /** Parses the contents of JWT_PUBLIC_KEY_FILE: one or more PEM public keys, a JWK, or a JWKS. */
  public static List<JsonObject> fromFile(String text, Set<String> algorithms) {
    String trimmed = text.strip();
    if (trimmed.startsWith("{")) {
      try {
        JsonObject json = new JsonObject(trimmed);
        JsonArray keys = json.getJsonArray("keys");
        if (keys == null) {
          return List.of(json);
        }
        List<JsonObject> out = new ArrayList<>();
        keys.forEach(k -> {
          if (k instanceof JsonObject jwk) {
            out.add(jwk);
          }
        });
        return out;
      } catch (DecodeException | ClassCastException e) {
        throw new IllegalArgumentException("JWT_PUBLIC_KEY_FILE is neither a JWK nor a JWKS: " + e.getMessage());
      }
    }
    List<JsonObject> out = new ArrayList<>();
    Matcher m = PEM.matcher(trimmed);
    boolean found = false;
    while (m.find()) {
      found = true;
      byte[] der = Base64.getMimeDecoder().decode(m.group(1));
      out.addAll(fromPublicKey(parse(der), algorithms));
    }
    if (!found) {
      throw new IllegalArgumentException("JWT_PUBLIC_KEY_FILE holds no '-----BEGIN PUBLIC KEY-----' block, JWK or JWKS");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("JWT_PUBLIC_KEY_FILE: its keys can verify none of JWT_ALGORITHMS "
          + algorithms.stream().sorted().toList());
    }
    return out;
  }

  /** The HMAC secret as an "oct" JWK for every allowed HS algorithm. */
  public static List<JsonObject> fromSecret(String secret, Set<String> algorithms) {
    String k = Base64.getUrlEncoder().withoutPadding().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
    return algorithms.stream().filter(a -> a.startsWith("HS")).sorted()
        .map(a -> new JsonObject().put("kty", "oct").put("alg", a).put("use", "sig").put("k", k))
        .toList();
  }

  private static PublicKey parse(byte[] der) {
    for (String type : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
      } catch (Exception ignored) {
        // try the next type
      }
    }
    throw new IllegalArgumentException("JWT_PUBLIC_KEY_FILE: a PEM block is neither an RSA nor an EC public key");
  }

  /**
   * One JWK per allowed algorithm the key can verify (an RSA key serves RS* and PS*). No kid: a PEM key has
   * none, and vertx-auth-jwt skips a key whose kid differs from the token's, so the issuer's kid must not matter.
   */
  static List<JsonObject> fromPublicKey(PublicKey key, Set<String> algorithms) {
    List<JsonObject> out = new ArrayList<>();
    if (key instanceof RSAPublicKey rsa) {
      for (String alg : algorithms.stream().sorted().toList()) {
        if (alg.startsWith("RS") || alg.startsWith("PS")) {
          out.add(new JsonObject().put("kty", "RSA").put("alg", alg).put("use", "sig")
              .put("n", b64(rsa.getModulus())).put("e", b64(rsa.getPublicExponent())));
        }
      }
    } else if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      String crv = bits == 256 ? "P-256" : bits == 384 ? "P-384" : "P-521";
      String alg = bits == 256 ? "ES256" : bits == 384 ? "ES384" : "ES512";
      int len = (bits + 7) / 8;
      out.add(new JsonObject().put("kty", "EC").put("alg", alg).put("use", "sig").put("crv", crv)
          .put("x", b64(ec.getW().getAffineX(), len)).put("y", b64(ec.getW().getAffineY(), len)));
    }
    return out;
  }

  public static String b64(BigInteger n) {
    byte[] bytes = n.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String b64(BigInteger n, int length) {
    byte[] raw = n.toByteArray();
    byte[] fixed = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, fixed, length - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(fixed);
  }
}
