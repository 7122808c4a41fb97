package dev.presign.gateway.support;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs JWTs in tests, independently of the code under test (JDK crypto only). */
public final class Jwts {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Jwts() {}

  public static String sign(JsonObject header, JsonObject claims, Key key) {
    String signingInput = segment(header) + "." + segment(claims);
    byte[] sig = signature(header.getString("alg"), key, signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + B64.encodeToString(sig);
  }

  public static String segment(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Signs header and claims given as raw JSON text, byte for byte (so a test can send duplicate members, comments
   * or other JSON a {@link JsonObject} cannot hold); {@code alg} picks the signature, whatever the header says.
   */
  public static String signRaw(String alg, String headerJson, String claimsJson, Key key) {
    return signRaw(alg, headerJson.getBytes(StandardCharsets.UTF_8), claimsJson.getBytes(StandardCharsets.UTF_8), key);
  }

  /** As above, with the segments' bytes given as they are (they need not even be UTF-8). */
  public static String signRaw(String alg, byte[] header, byte[] claims, Key key) {
    String signingInput = b64(header) + "." + b64(claims);
    return signingInput + "." + b64(signature(alg, key, signingInput.getBytes(StandardCharsets.US_ASCII)));
  }

  public static String b64(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  /** The decoded third segment of a compact JWS. */
  public static byte[] signatureOf(String token) {
    return Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1));
  }

  /** The same token with its third segment replaced by {@code signature}. */
  public static String withSignature(String token, byte[] signature) {
    return token.substring(0, token.lastIndexOf('.') + 1) + B64.encodeToString(signature);
  }

  /** ECDSA JOSE R||S to DER (SEQUENCE of two INTEGERs), the form JCA signers produce. */
  public static byte[] joseToDer(byte[] jose) {
    int size = jose.length / 2;
    byte[] r = new java.math.BigInteger(1, Arrays.copyOfRange(jose, 0, size)).toByteArray();
    byte[] s = new java.math.BigInteger(1, Arrays.copyOfRange(jose, size, 2 * size)).toByteArray();
    int bodyLen = 2 + r.length + 2 + s.length;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(0x30);
    if (bodyLen >= 128) {
      out.write(0x81);
    }
    out.write(bodyLen);
    out.write(0x02);
    out.write(r.length);
    out.writeBytes(r);
    out.write(0x02);
    out.write(s.length);
    out.writeBytes(s);
    return out.toByteArray();
  }

  public static String hmacKeyJwkValue(byte[] secret) {
    return B64.encodeToString(secret);
  }

  static byte[] signature(String alg, Key key, byte[] input) {
    try {
      switch (alg) {
        case "HS256" -> {
          Mac mac = Mac.getInstance("HmacSHA256");
          mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
          return mac.doFinal(input);
        }
        case "RS256" -> {
          Signature s = Signature.getInstance("SHA256withRSA");
          s.initSign((PrivateKey) key);
          s.update(input);
          return s.sign();
        }
        case "ES256", "ES384", "ES512" -> {
          int bits = Integer.parseInt(alg.substring(2));
          Signature s = Signature.getInstance("SHA" + bits + "withECDSA");
          s.initSign((PrivateKey) key);
          s.update(input);
          return derToJose(s.sign(), bits == 512 ? 66 : bits / 8);
        }
        default -> throw new IllegalArgumentException("test signer does not do " + alg);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** ECDSA DER (SEQUENCE of two INTEGERs) to the JOSE R||S form. */
  static byte[] derToJose(byte[] der, int size) {
    int offset = der[1] == (byte) 0x81 ? 3 : 2;
    int rLen = der[offset + 1];
    byte[] r = Arrays.copyOfRange(der, offset + 2, offset + 2 + rLen);
    int sStart = offset + 2 + rLen;
    int sLen = der[sStart + 1];
    byte[] s = Arrays.copyOfRange(der, sStart + 2, sStart + 2 + sLen);
    byte[] out = new byte[2 * size];
    copyUnsigned(r, out, 0, size);
    copyUnsigned(s, out, size, size);
    return out;
  }

  private static void copyUnsigned(byte[] src, byte[] dst, int at, int size) {
    int start = src.length > size ? src.length - size : 0;
    int len = src.length - start;
    System.arraycopy(src, start, dst, at + size - len, len);
  }
}
