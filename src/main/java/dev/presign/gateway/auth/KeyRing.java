package dev.presign.gateway.auth;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.impl.jose.JWK;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable set of usable verification keys (as JWK JSON), with a version that changes whenever the set
 * does. Keys of a disallowed algorithm, encryption keys, private or malformed keys are dropped here.
 */
public record KeyRing(List<JsonObject> keys, Set<String> kids, long version) {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRing.class);

  public static final KeyRing EMPTY = new KeyRing(List.of(), Set.of(), 0);

  /**
   * Keeps only keys that verify signatures with an allowed algorithm. Symmetric keys count only from
   * {@code secretKeys} (JWT_HMAC_SECRET): an "oct" key in a published JWKS would let anyone who reads it forge tokens.
   */
  public static KeyRing of(List<JsonObject> secretKeys, List<JsonObject> publicKeys, Set<String> algorithms,
                           long version) {
    List<JsonObject> usable = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    List<JsonObject> candidates = new ArrayList<>(secretKeys);
    candidates.addAll(publicKeys);
    for (int i = 0; i < candidates.size(); i++) {
      JsonObject jwk = candidates.get(i);
      String why = unusable(jwk, algorithms, i < secretKeys.size());
      if (why != null) {
        LOG.warn("skipping JWK kid={} kty={}: {}", jwk.getString("kid"), jwk.getString("kty"), why);
        continue;
      }
      JsonObject key = withAlgorithm(jwk);
      usable.add(key);
      if (key.getString("kid") != null) {
        kids.add(key.getString("kid"));
      }
    }
    return new KeyRing(List.copyOf(usable), Set.copyOf(kids), version);
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  private static String unusable(JsonObject jwk, Set<String> algorithms, boolean allowSecret) {
    String use = jwk.getString("use");
    if (use != null && !use.equals("sig")) {
      return "use is '" + use + "', not 'sig'";
    }
    String kty = jwk.getString("kty");
    if ("oct".equals(kty) && !allowSecret) {
      return "symmetric keys are only accepted from JWT_HMAC_SECRET";
    }
    if (!"oct".equals(kty) && jwk.containsKey("d")) {
      return "private key material in a verification key set";
    }
    String alg = withAlgorithm(jwk).getString("alg");
    if (alg == null || !algorithms.contains(alg)) {
      return "algorithm " + alg + " is not in JWT_ALGORITHMS " + algorithms;
    }
    try {
      // JWK accepts a key without its material (an RSA key without "n"); such a key verifies nothing.
      JWK key = new JWK(withAlgorithm(jwk));
      return key.publicKey() == null && key.mac() == null ? "it holds no public key or secret" : null;
    } catch (RuntimeException e) {
      return "not a valid key (" + e.getMessage() + ")";
    }
  }

  /** A JWK without "alg" gets the one its type and curve imply, so the allowlist can judge it. */
  private static JsonObject withAlgorithm(JsonObject jwk) {
    if (jwk.getString("alg") != null) {
      return jwk;
    }
    String alg = switch (String.valueOf(jwk.getString("kty"))) {
      case "RSA" -> "RS256";
      case "EC" -> switch (String.valueOf(jwk.getString("crv"))) {
        case "P-256" -> "ES256";
        case "P-384" -> "ES384";
        case "P-521" -> "ES512";
        default -> null;
      };
      case "oct" -> "HS256";
      default -> null;
    };
    return alg == null ? jwk : jwk.copy().put("alg", alg);
  }
}
