package dev.presign.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.TestGateway;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README's first command, for real: the packaged jar's {@code local} stack starts S3Proxy and the gateway in
 * dev mode, prints a curl session, and that session, run by bash, uploads a file with 200.
 */
class LocalStackIT {

  @Test
  void the_printed_curl_session_uploads_a_file_with_200() throws Exception {
    int api = LocalS3.freePort();
    int management = LocalS3.freePort();
    int s3 = LocalS3.freePort();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Ds3proxy.jar=" + System.getProperty("s3proxy.jar"),
        "-jar", System.getProperty("gateway.jar"), "local").redirectErrorStream(true);
    pb.environment().put("HTTP_PORT", String.valueOf(api));
    pb.environment().put("MANAGEMENT_PORT", String.valueOf(management));
    pb.environment().put("S3_ENDPOINT", "http://127.0.0.1:" + s3);
    Process stack = pb.start();
    try {
      List<String> output = readUntil(stack, "Ctrl-C stops");
      int from = indexOf(output, "TOKEN=");
      int to = indexOf(output, "curl -sS -i -X PUT");
      assertThat(from).as(String.join("\n", output)).isNotNegative();
      assertThat(to).isGreaterThan(from);
      Path dir = Files.createTempDirectory("session");
      Path script = dir.resolve("session.sh");
      Files.write(script, output.subList(from, to + 1));
      Process session = new ProcessBuilder("bash", script.toString()).directory(dir.toFile())
          .redirectErrorStream(true).start();
      String result = new String(session.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(session.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(result).contains("\"uploadUrl\":\"http://127.0.0.1:" + s3 + "/dev-bucket/users/alice/")
          .contains("HTTP/1.1 200 OK").containsIgnoringCase("ETag:");
      // Bound to 127.0.0.1 itself, not to every interface: another address of this machine (127.0.0.2 is one,
      // as a LAN address would be) finds nothing listening.
      for (int port : new int[] {api, management, s3}) {
        assertThat(isOpen("127.0.0.1", port)).as("port %d on 127.0.0.1", port).isTrue();
        assertThat(isOpen("127.0.0.2", port)).as("port %d on 127.0.0.2", port).isFalse();
      }
    } finally {
      stack.destroy();
      assertThat(stack.waitFor(30, TimeUnit.SECONDS)).as("the stack stops on SIGTERM").isTrue();
    }
    assertThat(isOpen("127.0.0.1", s3)).as("S3Proxy is stopped with the stack").isFalse();
  }

  /**
   * A frontend dev server on its own origin (Vite's :5173) named in CORS_ALLOWED_ORIGINS: S3Proxy must let it PUT,
   * POST, GET and DELETE with the signed headers, as the gateway lets it presign. And the stack writes no
   * {@code s3proxy*} folder into the temporary directory, neither while it runs nor after it stops.
   */
  @Test
  void s3proxy_allows_the_configured_frontend_origin_and_the_stack_leaves_no_temp_folder() throws Exception {
    int api = LocalS3.freePort();
    int s3 = LocalS3.freePort();
    Path tmp = Files.createTempDirectory("local-stack-tmp");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp,
        "-Ds3proxy.jar=" + System.getProperty("s3proxy.jar"), "-jar", System.getProperty("gateway.jar"), "local")
        .redirectErrorStream(true);
    pb.environment().put("HTTP_PORT", String.valueOf(api));
    pb.environment().put("MANAGEMENT_PORT", String.valueOf(LocalS3.freePort()));
    pb.environment().put("S3_ENDPOINT", "http://127.0.0.1:" + s3);
    pb.environment().put("CORS_ALLOWED_ORIGINS", "http://127.0.0.1:5173");
    Process stack = pb.start();
    try {
      readUntil(stack, "Ctrl-C stops");
      String object = "http://127.0.0.1:" + s3 + "/dev-bucket/users/alice/x/a.txt";
      for (String method : new String[] {"PUT", "POST", "GET", "DELETE"}) {
        HttpResponse<String> preflight = preflight(object, "http://127.0.0.1:5173", method,
            "content-type,x-amz-checksum-sha256,x-amz-sdk-checksum-algorithm,x-amz-server-side-encryption");
        assertThat(preflight.statusCode()).as(method + " " + preflight.body()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).as(method)
            .contains("http://127.0.0.1:5173");
      }
      // The page the stack serves itself, on its own origin, may upload too.
      assertThat(preflight(object, "http://127.0.0.1:" + api, "PUT", "content-type").statusCode()).isEqualTo(200);
      assertThat(preflight(object, "http://127.0.0.1:5999", "PUT", "content-type").statusCode())
          .as("an origin nobody configured").isEqualTo(403);
      assertThat(s3proxyFolders(tmp)).as("while running").isEmpty();
    } finally {
      stack.destroy();
      assertThat(stack.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(s3proxyFolders(tmp)).as("after stopping").isEmpty();
    Files.delete(tmp); // empty: nothing else was written there either
  }

  private static HttpResponse<String> preflight(String url, String origin, String method, String headers) {
    return TestGateway.send(HttpRequest.newBuilder(URI.create(url))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", origin).header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", headers).build());
  }

  private static List<String> s3proxyFolders(Path tmp) throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("s3proxy")).toList();
    }
  }

  private static List<String> readUntil(Process process, String marker) throws Exception {
    List<String> lines = new ArrayList<>();
    CompletableFuture<List<String>> done = CompletableFuture.supplyAsync(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
          if (line.contains(marker)) {
            return lines;
          }
        }
        throw new IllegalStateException("stack exited before printing its session:\n" + String.join("\n", lines));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    return done.get(90, TimeUnit.SECONDS);
  }

  private static int indexOf(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isOpen(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
