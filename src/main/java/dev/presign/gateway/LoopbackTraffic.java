package dev.presign.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The API's signing requests, a round at a time, sent to a gateway on 127.0.0.1: what the image's AOT training run
 * ({@link Training}) and the readiness warm-up ({@link WarmUp}) both exercise the request path with. A round is
 * every kind of request those endpoints serve, answered and refused (presign with and without a type, download,
 * batch, sign for PutObject and UploadPart, a foreign prefix, no token, a malformed token), all at once. Rounds
 * block the calling thread, which must not be an event loop; the requests go out on {@code vertx}'s HTTP client.
 */
final class LoopbackTraffic implements AutoCloseable {
  /** Each subject's token is minted once and then reused (the verifier's cache); every tenth round mints anew. */
  static final int SUBJECTS = 50;

  private final HttpClient http;
  private final int port;
  private final Function<String, String> mint;
  private final Function<String, String> ownPrefix;
  private final String contentType;
  private final String origin;
  private final String[] tokens = new String[SUBJECTS];
  private final Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
  private int requests;

  /**
   * {@code mint}: subject → a token the gateway accepts; {@code ownPrefix}: subject → the key prefix that subject
   * owns; {@code contentType}: one the gateway allows; {@code origin}: an allowed CORS origin, or null.
   */
  LoopbackTraffic(Vertx vertx, int port, Function<String, String> mint, Function<String, String> ownPrefix,
                  String contentType, String origin) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(16));
    this.port = port;
    this.mint = mint;
    this.ownPrefix = ownPrefix;
    this.contentType = contentType;
    this.origin = origin;
  }

  /** Sends round {@code round} and waits for its answers: what was not answered as expected, empty if all was. */
  List<String> round(int round) throws Exception {
    String sub = "user" + round % SUBJECTS;
    if (tokens[round % SUBJECTS] == null) {
      tokens[round % SUBJECTS] = mint.apply(sub);
    }
    // Mostly tokens seen before (the cache), every tenth a fresh one (a full signature verification).
    String token = round % 10 == 0 ? mint.apply(sub) : tokens[round % SUBJECTS];
    String own = ownPrefix.apply(sub);
    List<Future<String>> answers = List.of(
        post("/api/s3/presign", token, new JsonObject().put("filename", "report " + round + ".pdf")
            .put("contentType", contentType).put("size", 1000 + round), 200),
        post("/api/s3/presign", token, new JsonObject().put("filename", "a.txt"), 200),
        post("/api/s3/download", token, new JsonObject().put("key", own + "k/a.txt").put("filename", "a.txt"), 200),
        post("/api/s3/presign/batch", token, new JsonObject().put("files", new JsonArray()
            .add(new JsonObject().put("filename", "b.bin").put("contentType", contentType).put("size", 5))
            .add(new JsonObject().put("filename", "c.html").put("contentType", "text/html"))), 200),
        post("/api/s3/sign", token, new JsonObject().put("method", "PUT").put("key", "d.txt"), 200),
        post("/api/s3/sign", token, new JsonObject().put("method", "PUT").put("key", own + "e/f.bin")
            .put("uploadId", "up-" + round).put("partNumber", 1), 200),
        post("/api/s3/presign", token, new JsonObject().put("prefix", "users/other/"), 400),
        post("/api/s3/presign", null, new JsonObject().put("filename", "a.txt"), 401),
        post("/api/s3/presign", "not.a.token", new JsonObject().put("filename", "a.txt"), 401));
    List<String> wrong = new ArrayList<>();
    for (Future<String> answer : answers) {
      String problem = answer.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (problem != null) {
        wrong.add(problem);
      }
    }
    return wrong;
  }

  /** A GET of {@code path} on {@code otherPort} (the management port), waited for; its status. */
  int get(int otherPort, String path) throws Exception {
    return http.request(new RequestOptions().setPort(otherPort).setURI(path))
        .compose(request -> request.send().compose(r -> r.body().map(b -> r.statusCode())))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Requests sent so far. */
  int requests() {
    return requests;
  }

  /** How many answers had each status, e.g. {@code {200=2400, 400=300, 401=600}}. */
  Map<Integer, Integer> statuses() {
    return new TreeMap<>(statuses);
  }

  /** Completes with null when the answer had {@code expected} status, else with what it was; never fails. */
  private Future<String> post(String path, String token, JsonObject body, int expected) {
    requests++;
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setPort(port).setURI(path)
        .putHeader("Content-Type", "application/json");
    if (origin != null) {
      options.putHeader("Origin", origin);
    }
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    return http.request(options)
        .compose(request -> request.send(body.toBuffer()).compose(r -> r.body().map(b -> {
          statuses.merge(r.statusCode(), 1, Integer::sum);
          return r.statusCode() == expected ? (String) null
              : path + " answered " + r.statusCode() + ", expected " + expected + ": " + b;
        })))
        .otherwise(e -> path + ": " + e);
  }

  @Override
  public void close() {
    http.close();
  }
}
