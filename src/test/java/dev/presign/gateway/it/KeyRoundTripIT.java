package dev.presign.gateway.it;

import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.dev.S3ProxyProcess;
import dev.presign.gateway.policy.FileNames;
import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Random Unicode file names, end to end: the gateway presigns a PUT, S3Proxy (which checks SigV4) stores the object
 * under the key the gateway reported, and reading that key back gives the same bytes. A name the policy refuses must
 * be a 400 naming {@code filename}, never another failure.
 */
class KeyRoundTripIT {
  private static final Pattern KEY = Pattern.compile(
      "users/alice/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/(.+)");

  static S3ProxyProcess s3;
  static TestIssuer issuer;
  static TestGateway gw;
  static S3AsyncClient client;

  @BeforeContainer
  static void start() {
    s3 = LocalS3.get();
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    gw = TestGateway.start(TestGateway.env(issuer, s3.endpoint()));
    client = S3AsyncClient.builder().endpointOverride(URI.create(s3.endpoint())).forcePathStyle(true)
        .region(Region.of(LocalS3.REGION)).credentialsProvider(TestGateway.S3PROXY_CREDENTIALS).build();
  }

  @AfterContainer
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (gw != null) {
      gw.close();
    }
    if (issuer != null) {
      issuer.close();
    }
  }

  @Property(tries = 25)
  void an_accepted_file_name_round_trips_through_a_presigned_put_and_reads_back_the_same_bytes(
      @ForAll("fileNames") String filename, @ForAll("contents") byte[] content) {
    HttpResponse<String> r = gw.presign(issuer.token("k1", "alice"), new JsonObject().put("filename", filename));
    boolean refused = r.statusCode() == 400;
    Statistics.label("outcome").collect(refused ? "refused" : "uploaded");
    Statistics.label("outcome").coverage(c -> c.check("uploaded").percentage(p -> p >= 60));
    if (refused) {
      assertThat(assertProblem(r, 400).getString("field")).isEqualTo("filename");
      return;
    }
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

    JsonObject answer = new JsonObject(r.body());
    String key = answer.getString("key");
    var m = KEY.matcher(key);
    assertThat(m.matches()).as(key).isTrue();
    // What the gateway received: the request body is UTF-8, in which a lone surrogate can only travel as '?'.
    String received = new String(filename.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    assertThat(m.group(1)).isEqualTo(FileNames.sanitize(received));
    assertThat(answer.getJsonObject("headers")).isEqualTo(new JsonObject());

    HttpResponse<String> put = TestGateway.send(HttpRequest.newBuilder(URI.create(answer.getString("uploadUrl")))
        .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build());
    assertThat(put.statusCode()).as("PUT %s: %s", answer.getString("uploadUrl"), put.body()).isEqualTo(200);

    byte[] stored = client.getObject(b -> b.bucket(LocalS3.BUCKET).key(key), AsyncResponseTransformer.toBytes())
        .join().asByteArray();
    assertThat(stored).isEqualTo(content);
  }

  @Provide
  Arbitrary<byte[]> contents() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
  }

  /** Mostly names a person or a program could send, with the characters that break URL and key handling. */
  @Provide
  Arbitrary<String> fileNames() {
    Arbitrary<String> piece = Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(8)),
        Tuple.of(4, Arbitraries.of(" ", "  ", "+", "%", "%20", "%2F", "?", "#", "&", "=", ";", ":", "@", "$", ",",
            "'", "\"", "!", "*", "(", ")", "[", "]", "{", "}", "~", "^", "`", "|", "<", ">", "-", "_")),
        Tuple.of(2, Arbitraries.of("/", "\\", ".", "..", "../", "\t", "\n", "\u0000", "\u007f", "\u0085")),
        Tuple.of(3, Arbitraries.of("\u00fc", "e\u0301", "A\u030a", "\u212b", "\u1100\u1161\u11a8", "\u00df",
            "\u0130", "\u03a3", "\u05d0\u05d1", "\u0627\u0644", "\u4e2d\u6587", "\u65e5\u672c", "\ud55c")),
        Tuple.of(2, Arbitraries.of("😀", "👩‍👩‍👧", "🇩🇪", "𝒜", "\ud83d", "\u202e", "\u200b", "\ufeff", "\ue000")),
        Tuple.of(1, Arbitraries.of("x".repeat(300), "\u00e9".repeat(140), "😀".repeat(70), "\u5b57".repeat(100))));
    Arbitrary<String> ext = Arbitraries.of("", ".txt", ".pdf", ".tar.gz", ".JPG", ". ", ".\u00e9t\u00e9");
    return piece.list().ofMinSize(1).ofMaxSize(12).map(parts -> String.join("", parts))
        .flatMap(name -> ext.map(e -> name + e));
  }
}
