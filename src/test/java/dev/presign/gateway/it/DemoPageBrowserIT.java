package dev.presign.gateway.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.LocalStackProcess;
import dev.presign.gateway.support.NodeDriver;
import dev.presign.gateway.support.StaticSite;
import dev.presign.gateway.support.TestGateway;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local stack's upload demo page in Debian's headless Chromium (puppeteer-core), as a new user meets it: the
 * packaged jar's {@code local}, the page at the gateway's {@code /}, S3Proxy on another origin; the same page from
 * a frontend's own origin; and the seed's failures, each reported with its row of the 403 table.
 */
class DemoPageBrowserIT {
  static final Path OUT = Path.of("target/demo-page-it");
  static final Path PAGE = Path.of("src/main/resources/dev/demo.html");
  static final String TEXT = "hello from the demo page, ü ✓\n";

  static StaticSite frontend;
  static LocalStackProcess stack;

  @BeforeAll
  static void startStack() throws Exception {
    NodeDriver.requireBrowserTools();
    Files.createDirectories(OUT);
    // A frontend dev server's origin (as Vite's :5173 would be), told to the stack as a user would.
    frontend = StaticSite.start(Map.of("/", PAGE));
    stack = LocalStackProcess.start(Map.of("CORS_ALLOWED_ORIGINS", frontend.origin()), List.of());
  }

  @AfterAll
  static void stopStack() throws Exception {
    if (stack != null) {
      stack.close();
    }
    if (frontend != null) {
      frontend.close();
    }
  }

  @Test
  void the_page_on_the_gateways_origin_uploads_to_s3proxy_on_another_and_shows_the_etag() throws Exception {
    assertThat(stack.session).as("local prints the page's address").anySatisfy(line ->
        assertThat(line).contains("upload demo page").contains(stack.api() + "/"));
    Path file = write("hello.txt", TEXT);
    Path screenshot = OUT.resolve("demo-upload.png");
    JsonObject report = drive(stack.api() + "/", screenshot, "", file);
    JsonObject shown = only(report);
    String why = report.encodePrettily();

    assertThat(shown.getString("state")).as(why).isEqualTo("done");
    assertThat(shown.getString("key")).as(why).matches("users/alice/[0-9a-f-]{36}/hello\\.txt");
    assertThat(shown.getString("etag")).as(why).matches("\"[0-9a-f]{32}\"");
    assertThat(shown.getString("time")).as(why).matches("\\d+ ms");
    // The download link comes from /api/s3/download and reads back the stored bytes.
    JsonObject download = shown.getJsonObject("download");
    assertThat(download.getInteger("status")).as(why).isEqualTo(200);
    assertThat(download.getString("body")).isEqualTo(TEXT);
    // The PUT went from the page straight to S3Proxy, another origin, and passed its CORS preflight.
    assertThat(requests(report, stack.s3Endpoint(), "PUT")).as(why).containsExactly(200);
    assertThat(requests(report, stack.api(), "POST")).as(why).containsExactly(200, 200, 200);
    assertThat(Files.size(screenshot)).as("a screenshot after a successful upload").isPositive();
  }

  @Test
  void a_frontend_on_its_own_origin_named_in_cors_allowed_origins_uploads_through_the_local_stack() throws Exception {
    Path file = write("from-frontend.txt", TEXT);
    String page = frontend.origin() + "/#gateway=" + URLEncoder.encode(stack.api(), StandardCharsets.UTF_8);
    JsonObject report = drive(page, OUT.resolve("demo-frontend.png"), "", file);
    JsonObject shown = only(report);

    assertThat(shown.getString("state")).as(report.encodePrettily()).isEqualTo("done");
    assertThat(shown.getJsonObject("download").getString("body")).isEqualTo(TEXT);
    assertThat(requests(report, stack.s3Endpoint(), "PUT")).as(report.encodePrettily()).containsExactly(200);
  }

  @Test
  void a_put_with_another_content_type_than_signed_shows_signature_does_not_match_and_the_header_row()
      throws Exception {
    Path file = write("mismatch.txt", TEXT);
    JsonObject report = drive(stack.api() + "/", OUT.resolve("demo-mismatch.png"), "content-type", file);
    JsonObject shown = only(report);
    String why = report.encodePrettily();

    assertThat(shown.getString("state")).as(why).isEqualTo("failed");
    assertThat(shown.getString("error")).as(why).startsWith("S3 answered 403 SignatureDoesNotMatch");
    assertThat(shown.getString("row")).as(why).isEqualTo("signature");
    assertThat(shown.getString("symptom")).as(why).isEqualTo("403 SignatureDoesNotMatch");
    assertThat(shown.getString("fix")).as(why).startsWith("Send exactly the headers the presign answer lists");
    assertThat(requests(report, stack.s3Endpoint(), "PUT")).as(why).containsExactly(403);
  }

  @Test
  void without_cors_for_the_pages_origin_the_page_reports_the_cors_row_not_a_generic_error() throws Exception {
    // The shared S3Proxy lets in one origin that nobody serves a page from: not this gateway's.
    Map<String, String> env = new HashMap<>(Map.of("GATEWAY_DEV_MODE", "true", "S3_BUCKET", LocalS3.BUCKET,
        "AWS_REGION", LocalS3.REGION, "S3_ENDPOINT", LocalS3.get().endpoint(), "S3_PATH_STYLE", "true",
        "HTTP_PORT", "0", "MANAGEMENT_PORT", "0", "HTTP_INSTANCES", "1"));
    Path file = write("blocked.txt", TEXT);
    try (TestGateway gw = TestGateway.start(env)) {
      JsonObject report = drive(gw.apiUrl("/"), OUT.resolve("demo-cors.png"), "", file);
      JsonObject shown = only(report);
      String why = report.encodePrettily();

      assertThat(shown.getString("state")).as(why).isEqualTo("failed");
      assertThat(shown.getString("row")).as(why).isEqualTo("cors");
      assertThat(shown.getString("error")).as(why).contains("reachable, but the browser blocked the upload (CORS)");
      assertThat(shown.getString("fix")).as(why).contains("expose ETag");
    }
  }

  static JsonObject drive(String page, Path screenshot, String mistake, Path file) throws Exception {
    return NodeDriver.run("demo-page.mjs", OUT,
        List.of(page, screenshot.toString(), mistake, file.toAbsolutePath().toString()));
  }

  static JsonObject only(JsonObject report) {
    assertThat(report.getJsonArray("errors")).as(report.encodePrettily()).isEmpty();
    assertThat(report.getJsonArray("files")).as(report.encodePrettily()).hasSize(1);
    return report.getJsonArray("files").getJsonObject(0);
  }

  /** The statuses of the page's requests with {@code method} to {@code origin}, in order. */
  static List<Integer> requests(JsonObject report, String origin, String method) {
    List<Integer> statuses = new ArrayList<>();
    report.getJsonArray("requests").forEach(o -> {
      JsonObject r = (JsonObject) o;
      if (r.getString("origin").equals(origin) && r.getString("method").equals(method)) {
        statuses.add(r.getInteger("status"));
      }
    });
    return statuses;
  }

  static Path write(String name, String text) throws Exception {
    return Files.writeString(OUT.resolve(name), text, StandardCharsets.UTF_8);
  }
}
