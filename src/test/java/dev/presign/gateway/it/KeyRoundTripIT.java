package dev.presign.gateway.it;

import static dev.presign.gateway.support.Cases.percent;
import static dev.presign.gateway.support.Cases.tally;
import static dev.presign.gateway.support.Gen.w;
import static dev.presign.gateway.support.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.dev.S3ProxyProcess;
import dev.presign.gateway.policy.FileNames;
import dev.presign.gateway.support.Cases;
import dev.presign.gateway.support.Gen;
import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.TestGateway;
import dev.presign.gateway.support.TestIssuer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Random Unicode file names, end to end: the gateway presigns a PUT, S3Proxy (which checks SigV4) stores the object
 * under the key the gateway reported, and reading that key back gives the same bytes. A name the policy refuses must
 * be a 400 naming {@code filename}, never another failure. Seeded random names ({@link Cases}), then one name around
 * each special piece of the generator.
 */
class KeyRoundTripIT {
  private static final Pattern KEY = Pattern.compile(
      "users/alice/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/(.+)");

  static S3ProxyProcess s3;
  static TestIssuer issuer;
  static TestGateway gw;
  static S3AsyncClient client;

  @BeforeAll
  static void start() {
    s3 = LocalS3.get();
    issuer = new TestIssuer();
    issuer.newKey("k1", "RS256", true);
    gw = TestGateway.start(TestGateway.env(issuer, s3.endpoint()));
    client = S3AsyncClient.builder().endpointOverride(URI.create(s3.endpoint())).forcePathStyle(true)
        .region(Region.of(LocalS3.REGION)).credentialsProvider(TestGateway.S3PROXY_CREDENTIALS).build();
  }

  @AfterAll
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

  @Test
  void an_accepted_file_name_round_trips_through_a_presigned_put_and_reads_back_the_same_bytes() {
    Map<String, Integer> outcomes = new HashMap<>();
    Cases.run("round_trip", 25, (r, c) -> outcomes.merge(
        roundTrip(c.with("filename", FILE_NAMES.next(r)), c.with("content", CONTENTS.next(r))) ? "uploaded" : "refused",
        1, Integer::sum));
    // Guards against a vacuous property: most names must be accepted and uploaded.
    assertThat(percent(outcomes, "uploaded")).as("%% uploaded; %s", tally(outcomes)).isGreaterThanOrEqualTo(60.0);
    List<String> specials = Stream.of(PUNCTUATION, SEPARATORS, SCRIPTS, EMOJI_AND_INVISIBLE, LONG_RUNS)
        .flatMap(List::stream).toList();
    Cases.each("round_trip", specials, (piece, r, c) -> roundTrip(
        c.with("filename", ALPHANUMERIC.next(r) + piece + ALPHANUMERIC.next(r) + EXTENSIONS.next(r)),
        c.with("content", CONTENTS.next(r))));
  }

  /** True when the name was uploaded and read back, false when the policy refused it (a 400 naming it). */
  private static boolean roundTrip(String filename, byte[] content) {
    HttpResponse<String> r = gw.presign(issuer.token("k1", "alice"), new JsonObject().put("filename", filename));
    if (r.statusCode() == 400) {
      assertThat(assertProblem(r, 400).getString("field")).isEqualTo("filename");
      return false;
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
    return true;
  }

  // ---------------------------------------------------------------- generators

  private static final Gen<byte[]> CONTENTS = Gen.bytes(4096);
  private static final Gen<String> ALPHANUMERIC = Gen.strings(Gen.ALPHANUMERIC, 1, 8);
  private static final List<String> PUNCTUATION = List.of(" ", "  ", "+", "%", "%20", "%2F", "?", "#", "&", "=",
      ";", ":", "@", "$", ",", "'", "\"", "!", "*", "(", ")", "[", "]", "{", "}", "~", "^", "`", "|", "<", ">", "-",
      "_");
  private static final List<String> SEPARATORS = List.of("/", "\\", ".", "..", "../", "\t", "\n", "\u0000",
      "\u007f", "\u0085");
  private static final List<String> SCRIPTS = List.of("\u00fc", "e\u0301", "A\u030a", "\u212b", "\u1100\u1161\u11a8",
      "\u00df", "\u0130", "\u03a3", "\u05d0\u05d1", "\u0627\u0644", "\u4e2d\u6587", "\u65e5\u672c", "\ud55c");
  private static final List<String> EMOJI_AND_INVISIBLE = List.of("😀", "👩‍👩‍👧", "🇩🇪", "𝒜", "\ud83d", "\u202e",
      "\u200b", "\ufeff", "\ue000");
  private static final List<String> LONG_RUNS = List.of("x".repeat(300), "\u00e9".repeat(140), "😀".repeat(70),
      "\u5b57".repeat(100));
  private static final Gen<String> EXTENSIONS = Gen.of("", ".txt", ".pdf", ".tar.gz", ".JPG", ". ", ".\u00e9t\u00e9");

  /** Mostly names a person or a program could send, with the characters that break URL and key handling. */
  private static final Gen<String> STEMS = Gen.<String>frequency(
      w(8, ALPHANUMERIC),
      w(4, Gen.of(PUNCTUATION)),
      w(2, Gen.of(SEPARATORS)),
      w(3, Gen.of(SCRIPTS)),
      w(2, Gen.of(EMOJI_AND_INVISIBLE)),
      w(1, Gen.of(LONG_RUNS))).joined(1, 12);
  private static final Gen<String> FILE_NAMES = r -> STEMS.next(r) + EXTENSIONS.next(r);
}
