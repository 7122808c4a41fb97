package dev.presign.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.dev.S3ProxyProcess;
import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.NodeDriver;
import dev.presign.gateway.support.StaticSite;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Real Uppy 5 (npm {@code uppy} 5.2.4, its plain-script bundle with {@code @uppy/aws-s3} 5.1) in Debian's headless
 * Chromium, switched from Companion to the gateway by its {@code endpoint} and a {@code headers} object with the
 * bearer token: every signing call goes to {@code /api/companion/s3/...}, every byte straight to S3Proxy. Page,
 * gateway and S3 are three origins, as in a real app. Needs {@code npm ci --prefix src/test/browser}
 * (scripts/test-all.sh does it) and /usr/bin/chromium.
 */
class Uppy5BrowserIT {
  static final Path BROWSER = NodeDriver.BROWSER;
  static final Path OUT = Path.of("target/uppy5-it");
  static final String SUB = "uppy5-user";
  static final int MIB = 1024 * 1024;
  static final String API = "/api/companion/s3/";

  @Test
  void uppy5_puts_a_small_file_and_sends_a_12_mib_file_in_three_parts_through_the_companion_protocol()
      throws Exception {
    NodeDriver.requireBrowserTools();
    Files.createDirectories(OUT);
    Path small = Files.write(OUT.resolve("notes ü.txt"),
        "Uppy 5 through presign-gateway, ü ✓\n".repeat(100).getBytes(StandardCharsets.UTF_8));
    byte[] bigBytes = new byte[12 * MIB];
    new Random(12).nextBytes(bigBytes);
    Path big = Files.write(OUT.resolve("big.bin"), bigBytes);

    try (StaticSite site = StaticSite.start(Map.of(
            "/", BROWSER.resolve("uppy5/index.html"),
            "/uppy/uppy.min.js", BROWSER.resolve("node_modules/uppy5/dist/uppy.min.js"),
            "/uppy/uppy.min.css", BROWSER.resolve("node_modules/uppy5/dist/uppy.min.css")));
        S3ProxyProcess s3 = S3ProxyProcess.start(Path.of(System.getProperty("s3proxy.jar", "target/s3proxy.jar")),
            LocalS3.freePort(), List.of(site.origin()));
        TestIssuer issuer = new TestIssuer();
        S3AsyncClient client = Uppy6BrowserIT.client(s3)) {
      client.createBucket(b -> b.bucket(LocalS3.BUCKET)).join();
      issuer.newKey("k1", "RS256", true);
      Map<String, String> env = TestGateway.env(issuer, s3.endpoint());
      env.put("CORS_ALLOWED_ORIGINS", site.origin());
      try (TestGateway gw = TestGateway.start(env)) {
        String gateway = gw.apiUrl("");
        String page = site.origin() + "/#gateway=" + URLEncoder.encode(gateway, StandardCharsets.UTF_8)
            + "&token=" + issuer.token("k1", SUB);
        List<String> args = new ArrayList<>(List.of(page, OUT.resolve("uppy5.png").toString(),
            small.toAbsolutePath().toString(), big.toAbsolutePath().toString()));
        JsonObject report = NodeDriver.run("uppy-upload.mjs", OUT, args);
        String why = report.encodePrettily();

        assertThat(report.getJsonArray("errors")).as(why).isEmpty();
        JsonObject result = report.getJsonObject("result");
        assertThat(result.getJsonArray("failed")).as(why).isEmpty();
        JsonObject smallUpload = Uppy6BrowserIT.upload(result, "notes ü.txt");
        JsonObject bigUpload = Uppy6BrowserIT.upload(result, "big.bin");
        for (JsonObject u : List.of(smallUpload, bigUpload)) {
          // The gateway made the key under the caller's prefix; Uppy learned it from the gateway's answers.
          assertThat(u.getString("key")).as(why)
              .matches("users/" + SUB + "/[0-9a-f-]{36}/" + Pattern.quote(u.getString("name")));
        }
        assertThat(Uppy6BrowserIT.read(client, smallUpload.getString("key"))).isEqualTo(Files.readAllBytes(small));
        assertThat(Uppy6BrowserIT.read(client, bigUpload.getString("key"))).isEqualTo(bigBytes);
        // The params call signed the file's type, and the browser sent exactly that header.
        assertThat(client.headObject(b -> b.bucket(LocalS3.BUCKET).key(smallUpload.getString("key"))).join()
            .contentType()).isEqualTo("text/plain");
        assertRequests(report, gateway, s3.endpoint(), smallUpload.getString("key"), bigUpload.getString("key"));
        assertThat(Files.size(OUT.resolve("uppy5.png"))).isPositive();
      }
    }
  }

  /**
   * The page's requests: Companion's calls to the gateway (params; create, one signing call per part, complete),
   * each answered 200, and the four S3 requests they signed, sent by the browser straight to S3 and answered 200.
   */
  static void assertRequests(JsonObject report, String gateway, String s3, String smallKey, String bigKey) {
    String why = report.encodePrettily();
    List<JsonObject> requests = Uppy6BrowserIT.objects(report.getJsonArray("requests"));
    List<JsonObject> toGateway = requests.stream().filter(r -> !r.getString("method").equals("OPTIONS")
        && r.getString("origin").equals(gateway)).toList();
    List<JsonObject> toS3 = requests.stream().filter(r -> !r.getString("method").equals("OPTIONS")
        && r.getString("origin").equals(s3)).toList();
    assertThat(toGateway).as(why).allSatisfy(r -> assertThat(r.getInteger("status")).isEqualTo(200));
    assertThat(toS3).as(why).allSatisfy(r -> assertThat(r.getInteger("status")).isEqualTo(200));
    String upload = API + "multipart/";
    assertThat(toGateway.stream().map(r -> r.getString("method") + " " + r.getString("path")
        .replaceFirst(Pattern.quote(upload) + "[^/]+", upload + "{id}")).toList()).as(why)
        .containsExactlyInAnyOrder("GET " + API + "params", "POST " + API + "multipart",
            "GET " + upload + "{id}/1", "GET " + upload + "{id}/2", "GET " + upload + "{id}/3",
            "POST " + upload + "{id}/complete");
    // The key Uppy names after create is the one the gateway made.
    assertThat(toGateway.stream().filter(r -> r.getString("path").startsWith(upload)).map(r -> r.getJsonArray("query")
        .encode())).as(why).containsOnly("[\"key\"]");
    // The params answer says PUT; no expires (Uppy would make it the XHR's timeout).
    assertThat(toGateway.stream().filter(r -> r.getString("path").endsWith("/params")).findFirst().orElseThrow()
        .getJsonArray("answerMembers").getList()).as(why).contains("url", "method", "headers", "fields")
        .doesNotContain("expires");
    String bucket = "/" + LocalS3.BUCKET + "/";
    assertThat(toS3.stream().map(r -> r.getString("method") + " " + r.getString("path").replace(bucket, "")
        + " " + r.getJsonArray("query").encode()).toList()).as(why).containsExactlyInAnyOrder(
            "PUT " + bigKey + " [\"partNumber\",\"uploadId\"]",
            "PUT " + bigKey + " [\"partNumber\",\"uploadId\"]",
            "PUT " + bigKey + " [\"partNumber\",\"uploadId\"]",
            "PUT " + smallKey + " []");
  }
}
