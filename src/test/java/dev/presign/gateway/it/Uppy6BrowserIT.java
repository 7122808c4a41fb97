package dev.presign.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.dev.S3ProxyProcess;
import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.NodeDriver;
import dev.presign.gateway.support.StaticSite;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
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
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Real Uppy 6 (npm {@code uppy} 6.x, its plain-script bundle with {@code @uppy/aws-s3}) in Debian's headless
 * Chromium, driven by puppeteer-core: the page's {@code signRequest} calls {@code POST /api/s3/sign} with a bearer
 * token, and the browser sends every S3 request to S3Proxy itself. Page, gateway and S3 are three origins, as in a
 * real app. Needs {@code npm ci --prefix src/test/browser} (scripts/test-all.sh does it) and /usr/bin/chromium.
 */
class Uppy6BrowserIT {
  static final Path BROWSER = NodeDriver.BROWSER;
  static final Path OUT = Path.of("target/uppy6-it");
  static final String SUB = "uppy-user";
  static final int MIB = 1024 * 1024;

  @Test
  void uppy6_puts_a_small_file_and_sends_a_6_mib_file_in_two_parts_each_request_signed_by_the_gateway()
      throws Exception {
    requireBrowserTools();
    Files.createDirectories(OUT);
    Path small = write("notes ü.txt",
        "Uppy 6 through presign-gateway, ü ✓\n".repeat(100).getBytes(StandardCharsets.UTF_8));
    byte[] bigBytes = new byte[6 * MIB + 123];
    new Random(11).nextBytes(bigBytes);
    Path big = write("big.bin", bigBytes);

    long start = System.nanoTime();
    try (StaticSite site = StaticSite.start(Map.of(
            "/", BROWSER.resolve("uppy6/index.html"),
            "/uppy/uppy.min.js", BROWSER.resolve("node_modules/uppy/dist/uppy.min.js"),
            "/uppy/uppy.min.css", BROWSER.resolve("node_modules/uppy/dist/uppy.min.css")));
        S3ProxyProcess s3 = S3ProxyProcess.start(Path.of(System.getProperty("s3proxy.jar", "target/s3proxy.jar")),
            LocalS3.freePort(), List.of(site.origin()));
        TestIssuer issuer = new TestIssuer();
        S3AsyncClient client = client(s3)) {
      long s3Up = System.nanoTime();
      client.createBucket(b -> b.bucket(LocalS3.BUCKET)).join();
      issuer.newKey("k1", "RS256", true);
      Map<String, String> env = TestGateway.env(issuer, s3.endpoint());
      env.put("CORS_ALLOWED_ORIGINS", site.origin());
      long bucketAndKey = System.nanoTime();
      try (TestGateway gw = TestGateway.start(env)) {
        String gateway = gw.apiUrl("");
        String page = site.origin() + "/#gateway=" + URLEncoder.encode(gateway, StandardCharsets.UTF_8)
            + "&token=" + issuer.token("k1", SUB);
        long ready = System.nanoTime();
        JsonObject report = drive(page, OUT.resolve("uppy6.png"), small, big);
        long done = System.nanoTime();
        String why = report.encodePrettily();

        assertThat(report.getJsonArray("errors")).as(why).isEmpty();
        JsonObject result = report.getJsonObject("result");
        assertThat(result.getJsonArray("failed")).as(why).isEmpty();
        JsonObject smallUpload = upload(result, "notes ü.txt");
        JsonObject bigUpload = upload(result, "big.bin");
        for (JsonObject u : List.of(smallUpload, bigUpload)) {
          // The gateway made the key (under the caller's prefix) from the one Uppy proposed, {uuid}-{name}.
          assertThat(u.getString("key")).as(why)
              .matches("users/" + SUB + "/[0-9a-f-]{36}/[0-9a-f-]{36}-" + Pattern.quote(u.getString("name")));
        }
        assertThat(read(client, smallUpload.getString("key"))).isEqualTo(Files.readAllBytes(small));
        assertThat(read(client, bigUpload.getString("key"))).isEqualTo(bigBytes);
        // Uppy 6.1 asks for no content type and sends the file's: unsigned, so S3 keeps what the browser sent.
        assertThat(client.headObject(b -> b.bucket(LocalS3.BUCKET).key(smallUpload.getString("key"))).join()
            .contentType()).isEqualTo("text/plain");

        assertRequests(report, gateway, s3.endpoint(), smallUpload.getString("key"), bigUpload.getString("key"));
        assertThat(Files.size(OUT.resolve("uppy6.png"))).isPositive();
        System.out.printf("Uppy6BrowserIT: S3Proxy and SDK client up in %d ms, bucket and signing key %d ms,"
            + " gateway %d ms; the driver (Chromium, page, uploads, screenshot) %d ms, of which uploading %d ms; checks %d ms%n",
            ms(s3Up - start), ms(bucketAndKey - s3Up), ms(ready - bucketAndKey), ms(done - ready),
            report.getLong("uploadMs"), ms(System.nanoTime() - done));
      }
    }
  }

  /**
   * The requests the page made: five signing calls to the gateway, answered 200, and the five S3 requests they
   * signed, sent by the browser straight to S3 and answered 200. In any order: the two files upload side by side.
   */
  static void assertRequests(JsonObject report, String gateway, String s3, String smallKey, String bigKey) {
    String why = report.encodePrettily();
    List<JsonObject> requests = objects(report.getJsonArray("requests"));
    // Preflights (OPTIONS) left out: how many Chromium sends depends on its preflight cache.
    List<JsonObject> signs = requests.stream().filter(r -> r.getString("method").equals("POST")
        && r.getString("path").equals("/api/s3/sign")).toList();
    List<JsonObject> toS3 = requests.stream().filter(r -> !r.getString("method").equals("OPTIONS")
        && r.getString("origin").equals(s3)).toList();
    assertThat(signs).as(why).allSatisfy(r -> {
      assertThat(r.getString("origin")).isEqualTo(gateway);
      assertThat(r.getInteger("status")).isEqualTo(200);
    });
    assertThat(toS3).as(why).allSatisfy(r -> assertThat(r.getInteger("status")).isEqualTo(200));
    // PutObject for the small file; CreateMultipartUpload, two UploadParts, CompleteMultipartUpload for the big one.
    assertThat(signs.stream().map(r -> describe(r.getJsonObject("body"))).toList()).as(why)
        .containsExactlyInAnyOrder("POST", "POST uploadId", "PUT", "PUT uploadId part 1", "PUT uploadId part 2");
    // One file's requests follow one another: Uppy 6 sends the parts of a file one at a time.
    assertThat(signs.stream().map(r -> r.getJsonObject("body")).filter(b -> b.getString("key").endsWith("-big.bin"))
        .map(Uppy6BrowserIT::describe).toList()).as(why)
        .containsExactly("POST", "PUT uploadId part 1", "PUT uploadId part 2", "POST uploadId");
    // Every request after CreateMultipartUpload names the key the gateway returned, not the one Uppy proposed.
    assertThat(signs.stream().map(r -> r.getJsonObject("body")).filter(b -> b.containsKey("uploadId"))
        .map(b -> b.getString("key"))).as(why).hasSize(3).containsOnly(bigKey);
    String bucket = "/" + LocalS3.BUCKET + "/";
    assertThat(toS3.stream().map(r -> r.getString("method") + " " + r.getString("path").replace(bucket, "")
        + " " + r.getJsonArray("query").encode()).toList()).as(why).containsExactlyInAnyOrder(
            "POST " + bigKey + " [\"uploadId\"]",
            "POST " + bigKey + " [\"uploads\"]",
            "PUT " + bigKey + " [\"partNumber\",\"uploadId\"]",
            "PUT " + bigKey + " [\"partNumber\",\"uploadId\"]",
            "PUT " + smallKey + " []");
  }

  static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  static void requireBrowserTools() {
    NodeDriver.requireBrowserTools();
  }

  /** Runs the puppeteer driver; its last stdout line is its JSON report. */
  static JsonObject drive(String page, Path screenshot, Path... files) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(page, screenshot.toString()));
    for (Path f : files) {
      args.add(f.toAbsolutePath().toString());
    }
    // The driver gives up on its own after 40 s of uploading; NodeDriver's 55 s is the backstop.
    return NodeDriver.run("uppy-upload.mjs", OUT, args);
  }

  static String describe(JsonObject signBody) {
    return signBody.getString("method") + (signBody.containsKey("uploadId") ? " uploadId" : "")
        + (signBody.containsKey("partNumber") ? " part " + signBody.getValue("partNumber") : "");
  }

  static JsonObject upload(JsonObject result, String name) {
    return objects(result.getJsonArray("successful")).stream().filter(u -> u.getString("name").equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no successful upload of " + name + " in " + result));
  }

  static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> list = new ArrayList<>();
    array.forEach(o -> list.add((JsonObject) o));
    return list;
  }

  static Path write(String name, byte[] bytes) throws IOException {
    return Files.write(OUT.resolve(name), bytes);
  }

  static S3AsyncClient client(S3ProxyProcess s3) {
    return S3AsyncClient.builder().endpointOverride(URI.create(s3.endpoint())).forcePathStyle(true)
        .region(Region.of(LocalS3.REGION)).credentialsProvider(TestGateway.S3PROXY_CREDENTIALS).build();
  }

  static byte[] read(S3AsyncClient client, String key) {
    return client.getObject(b -> b.bucket(LocalS3.BUCKET).key(key), AsyncResponseTransformer.toBytes()).join()
        .asByteArray();
  }
}
