package dev.presign.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.LocalStackProcess;
import dev.presign.gateway.support.TestGateway;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    LocalStackProcess stack = LocalStackProcess.start(Map.of(), List.of());
    try {
      List<String> output = stack.session;
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
      assertThat(result).contains("\"uploadUrl\":\"" + stack.s3Endpoint() + "/dev-bucket/users/alice/")
          .contains("HTTP/1.1 200 OK").containsIgnoringCase("ETag:");
      // Bound to 127.0.0.1 itself, not to every interface: another address of this machine (127.0.0.2 is one,
      // as a LAN address would be) finds nothing listening.
      for (int port : new int[] {stack.apiPort, stack.managementPort, stack.s3Port}) {
        assertThat(isOpen("127.0.0.1", port)).as("port %d on 127.0.0.1", port).isTrue();
        assertThat(isOpen("127.0.0.2", port)).as("port %d on 127.0.0.2", port).isFalse();
      }
    } finally {
      assertThat(stack.stop()).as("the stack stops on SIGTERM").isTrue();
    }
    assertThat(isOpen("127.0.0.1", stack.s3Port)).as("S3Proxy is stopped with the stack").isFalse();
  }

  /**
   * A frontend dev server on its own origin (Vite's :5173) named in CORS_ALLOWED_ORIGINS: S3Proxy must let it PUT,
   * POST, GET and DELETE with the signed headers, as the gateway lets it presign. And the stack writes no
   * {@code s3proxy*} folder into the temporary directory, neither while it runs nor after it stops.
   */
  @Test
  void s3proxy_allows_the_configured_frontend_origin_and_the_stack_leaves_no_temp_folder() throws Exception {
    Path tmp = Files.createTempDirectory("local-stack-tmp");
    LocalStackProcess stack = LocalStackProcess.start(Map.of("CORS_ALLOWED_ORIGINS", "http://127.0.0.1:5173"),
        List.of("-Djava.io.tmpdir=" + tmp));
    try {
      String object = stack.s3Endpoint() + "/dev-bucket/users/alice/x/a.txt";
      for (String method : new String[] {"PUT", "POST", "GET", "DELETE"}) {
        HttpResponse<String> preflight = preflight(object, "http://127.0.0.1:5173", method,
            "content-type,x-amz-checksum-sha256,x-amz-sdk-checksum-algorithm,x-amz-server-side-encryption");
        assertThat(preflight.statusCode()).as(method + " " + preflight.body()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).as(method)
            .contains("http://127.0.0.1:5173");
      }
      // The page the stack serves itself, on its own origin, may upload too.
      assertThat(preflight(object, stack.api(), "PUT", "content-type").statusCode()).isEqualTo(200);
      assertThat(preflight(object, "http://127.0.0.1:5999", "PUT", "content-type").statusCode())
          .as("an origin nobody configured").isEqualTo(403);
      assertThat(s3proxyFolders(tmp)).as("while running").isEmpty();
    } finally {
      assertThat(stack.stop()).isTrue();
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
