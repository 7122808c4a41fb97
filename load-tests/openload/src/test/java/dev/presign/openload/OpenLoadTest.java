package dev.presign.openload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenLoad against a real HTTP/1.1 server on 127.0.0.1 (the JDK's): it sends the scheduled number of requests, counts
 * statuses, reads chunked and fixed-length answers, and charges a server stall to every request due during it.
 */
class OpenLoadTest {
  static {
    // The JDK server writes a head and a body apart: with Nagle's algorithm on, each answer would wait ~40 ms for
    // the client's delayed ACK. Read once, when the server's configuration class loads.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private HttpServer server;
  private final AtomicInteger served = new AtomicInteger();
  /** Which request (1-based) the server holds for stallMillis; 0: none. */
  private volatile int stallAt;
  private volatile long stallMillis;
  /** Every n-th request answers 503 with a chunked body; 0: none. */
  private volatile int failEvery;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health/live", exchange -> {
      int n = served.incrementAndGet();
      if (n == stallAt) {
        try {
          Thread.sleep(stallMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      exchange.getRequestBody().readAllBytes();
      byte[] body = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
      boolean fail = failEvery > 0 && n % failEvery == 0;
      exchange.sendResponseHeaders(fail ? 503 : 200, fail ? 0 : body.length); // 0: chunked
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private Map<String, Double> run(String... options) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    OpenLoad load = new OpenLoad(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String[] args = new String[options.length + 2];
    System.arraycopy(options, 0, args, 0, options.length);
    args[options.length] = "http://127.0.0.1:" + server.getAddress().getPort();
    args[options.length + 1] = "live";
    load.parse(args);
    load.run();
    String output = bytes.toString(StandardCharsets.UTF_8);
    Map<String, Double> result = new HashMap<>();
    String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
        .orElseThrow(() -> new AssertionError("no RESULT in\n" + output));
    Matcher m = Pattern.compile("(\\w+)=(-?[0-9.]+)").matcher(line);
    while (m.find()) {
      result.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    String status = output.lines().filter(l -> l.startsWith("STATUS")).findFirst().orElse("");
    Matcher s = Pattern.compile(" (\\d{3})=(\\d+)").matcher(status);
    while (s.find()) {
      result.put("status_" + s.group(1), Double.parseDouble(s.group(2)));
    }
    return result;
  }

  @Test
  void sends_every_scheduled_request_and_counts_the_answers_by_status() throws Exception {
    failEvery = 10;
    Map<String, Double> r = run("--rate", "200", "--warmup", "0.5", "--duration", "1", "--connections", "2");
    assertEquals(200, r.get("scheduled"));
    assertEquals(200, r.get("requests"), "every measured request answered: " + r);
    assertEquals(r.get("requests"), r.get("ok") + r.get("non2xx"));
    assertEquals(300, served.get(), "warm-up and measured requests reached the server");
    assertEquals(30, r.get("status_503") , "the chunked 503s, warm-up included: " + r);
    assertEquals(20, r.get("non2xx"), r.toString());
    assertEquals(10, r.get("warmup_non2xx"), r.toString());
    assertEquals(0, r.get("errors") + r.get("timeouts") + r.get("unsent"), r.toString());
  }

  @Test
  void a_server_stall_is_charged_to_every_request_due_during_it_not_only_to_the_one_it_held() throws Exception {
    // One connection: while the server holds request 100 for 400 ms, the ~80 requests due meanwhile wait for it.
    // Measured from their intended send times, a fifth of the run's requests are late by 0-400 ms; a closed loop
    // (timing each request from when it could be sent) would show one slow request out of 400.
    stallAt = 100;
    stallMillis = 400;
    Map<String, Double> r = run("--rate", "200", "--warmup", "0", "--duration", "2", "--connections", "1",
        "--max-connections", "1");
    assertEquals(400, r.get("ok"), r.toString());
    assertTrue(r.get("max_us") >= 400_000, "the held request: " + r);
    assertTrue(r.get("p90_us") >= 100_000, "p90 carries the stall: " + r);
    assertTrue(r.get("waited") >= 60, "requests waited for the one connection: " + r);
  }
}
