package dev.presign.loadtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bearer tokens for the simulations: minted by the local stack's dev issuer ({@code POST /dev/token}) or, for a
 * real deployment, read from {@code -DtokenFile} (one token per line). Loaded in a simulation's {@code before()}.
 */
final class Tokens {
  record Token(String sub, String jwt) {}

  private static final Pattern SUB = Pattern.compile("\"sub\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private volatile List<Token> tokens = List.of();

  /** {@code -DtokenFile} if given, else one token per subject ({@code -Dusers}) minted at the dev issuer. */
  void load(String baseUrl, int users) {
    String file = Settings.string("tokenFile", null);
    tokens = file != null ? read(file) : mint(baseUrl, users, "lt-user-", 3600);
    System.out.printf("token pool: %d tokens (%s)%n", tokens.size(), file != null ? file : baseUrl + "/dev/token");
  }

  /**
   * Tokens past their expiry: {@code -DexpiredTokenFile}, or minted with a 1 s lifetime and then waited out,
   * which takes the gateway's clock leeway ({@code -DjwtLeewaySeconds}, JWT_LEEWAY_SECONDS) plus 2 s.
   */
  void loadExpired(String baseUrl, int users) {
    String file = Settings.string("expiredTokenFile", null);
    if (file == null && Settings.string("tokenFile", null) != null) {
      throw new IllegalStateException("-DtokenFile is set: give expired tokens too with -DexpiredTokenFile");
    }
    if (file != null) {
      tokens = read(file);
      return;
    }
    tokens = mint(baseUrl, users, "lt-expired-", 1);
    long waitSeconds = Settings.integer("jwtLeewaySeconds", 30) + 2;
    System.out.printf("waiting %d s for %d tokens to expire%n", waitSeconds, tokens.size());
    try {
      Thread.sleep(waitSeconds * 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  Token random() {
    List<Token> pool = tokens;
    if (pool.isEmpty()) {
      throw new IllegalStateException("token pool is empty: was load() called in before()?");
    }
    return pool.get(ThreadLocalRandom.current().nextInt(pool.size()));
  }

  /** The same token with one signature character changed: well formed, but its signature no longer verifies. */
  static String forge(String jwt) {
    int dot = jwt.lastIndexOf('.');
    // The middle of the signature: the last character of base64url may only carry padding bits.
    int i = dot + 1 + (jwt.length() - dot - 1) / 2;
    char flipped = jwt.charAt(i) == 'A' ? 'B' : 'A';
    return jwt.substring(0, i) + flipped + jwt.substring(i + 1);
  }

  private static List<Token> mint(String baseUrl, int users, String prefix, long ttlSeconds) {
    List<Token> out = new ArrayList<>(users);
    for (int i = 0; i < users; i++) {
      String sub = prefix + i;
      HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/dev/token"))
          .timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"sub\":\"" + sub + "\",\"ttlSeconds\":" + ttlSeconds + "}"))
          .build();
      try {
        HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        Matcher m = TOKEN.matcher(response.body());
        if (response.statusCode() != 200 || !m.find()) {
          throw new IllegalStateException("POST " + baseUrl + "/dev/token answered " + response.statusCode()
              + " " + response.body() + " (is the gateway in dev mode? else use -DtokenFile)");
        }
        out.add(new Token(sub, m.group(1)));
      } catch (IOException e) {
        throw new IllegalStateException("cannot reach " + baseUrl + "/dev/token: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return List.copyOf(out);
  }

  private static List<Token> read(String file) {
    try {
      List<Token> out = Files.readAllLines(Path.of(file)).stream().map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .map(jwt -> new Token(subjectOf(jwt), jwt)).toList();
      if (out.isEmpty()) {
        throw new IllegalStateException(file + " holds no token");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read token file " + file + ": " + e, e);
    }
  }

  /** The {@code sub} claim, read without verifying: the simulation checks the key prefix made from it. */
  static String subjectOf(String jwt) {
    String[] parts = jwt.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    Matcher m = SUB.matcher(payload);
    if (!m.find()) {
      throw new IllegalStateException("a token in the token file has no sub claim");
    }
    return m.group(1);
  }
}
