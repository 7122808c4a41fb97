package dev.presign.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.policy.UploadRequest;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The plain-shape scan is only a shortcut: whenever it reads a body, Jackson reads the same body to the same fields;
 * whatever it leaves alone, Jackson decides. Bodies are built from the pieces clients (and attackers) send.
 */
class PresignBodyTest {
  private static final String[] NAMES = {"filename", "contentType", "size", "checksumSha256", "prefix", "other",
      "file\\u006eame", "Filename", "filenam", "filenamee", ""};
  private static final String[] VALUES = {"\"report.pdf\"", "\"\"", "\" \"", "\"a b+c%20~!*'()/;:@&=$,?#[]\"",
      "\"x\\\"y\"", "\"tab\\tand\\\\\"", "\"caf\u00e9\"", "\"\u65e5\u672c\"", "\"ctl\u0001\"", "\"del\u007f\"",
      "\"bad\\q\"", "\"\\u0041\"", "null", "nul", "nullx", "true", "false", "0", "-0", "7", "-5", "1048576",
      "01", "00", "-", "+3", "1.5", "1e3", "2E2", "1.", "999999999999999999", "9223372036854775807",
      "9223372036854775808", "12345678901234567890", "[]", "[1,\"a\"]", "{}", "{\"a\":{\"b\":null}}", "\"open",
      "'single'", "NaN", "Infinity"};
  private static final String[] SPACE = {"", "", "", " ", "\n  ", "\t", "\r\n", "\u000b", "\u00a0"};

  @Property(tries = 3000)
  void whatever_the_scan_reads_jackson_reads_to_the_same_fields(@ForAll("bodies") String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Object[] plain = PresignBody.plain(bytes);
    Object jackson;
    try {
      jackson = PresignBody.jackson(bytes);
    } catch (PolicyException e) {
      jackson = e.field() + ": " + e.getMessage();
    }
    Statistics.label("path").collect(plain != null ? "plain" : jackson instanceof String ? "refused" : "jackson");
    Statistics.label("path").coverage(c -> {
      c.check("plain").percentage(p -> p > 20);
      c.check("jackson").percentage(p -> p > 5);
      c.check("refused").percentage(p -> p > 10);
    });
    if (plain != null) {
      assertThat(jackson).as(body).isInstanceOf(Object[].class);
      assertThat(Arrays.asList(plain)).as(body).isEqualTo(Arrays.asList((Object[]) jackson));
    }
  }

  @Test
  void the_bodies_frontends_send_are_read_by_the_scan() {
    List<String> bodies = List.of(
        "{\"filename\":\"report.pdf\",\"contentType\":\"application/pdf\",\"size\":1048576}",
        "{\n  \"filename\": \"holiday photo (1).jpg\",\n  \"contentType\": \"image/jpeg\",\n  \"size\": 0,\n"
            + "  \"checksumSha256\": \"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\",\n  \"prefix\": null\n}\n",
        "{\"prefix\":\"users/alice/2026/\",\"filename\":\"a.txt\"}");
    for (String body : bodies) {
      assertThat(PresignBody.plain(body.getBytes(StandardCharsets.UTF_8))).as(body).isNotNull();
    }
    UploadRequest read = PresignBody.parse(Buffer.buffer(bodies.get(1)));
    assertThat(read).isEqualTo(new UploadRequest("holiday photo (1).jpg", "image/jpeg", 0L,
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", null));
  }

  @Test
  void bodies_the_scan_leaves_alone_are_still_read_or_refused_by_jackson() {
    String escaped = "{\"filename\":\"caf\u00e9 \\\"1\\\".txt\",\"size\":2,\"x\":[1]}";
    assertThat(scans(escaped)).isFalse();
    assertThat(PresignBody.parse(Buffer.buffer(escaped)).filename()).isEqualTo("caf\u00e9 \"1\".txt");
    Map<String, String> refused = Map.of(
        "{\"filename\":\"a\",\"filename\":\"b\"}", "the request body is not valid JSON",
        "{\"filename\":\"a\"} {}", "the request body is not valid JSON",
        "{\"filename\":\"a\",\"size\":1.5}", "size must be a whole number of bytes",
        "{\"filename\":7}", "filename must be a string",
        "[]", "the request body must be a JSON object");
    refused.forEach((body, detail) -> {
      assertThat(scans(body)).as(body).isFalse();
      assertThatThrownBy(() -> PresignBody.parse(Buffer.buffer(body))).as(body)
          .isInstanceOf(PolicyException.class).hasMessage(detail);
    });
    // Read by the scan, refused by the checks both ways share.
    assertThat(scans("{\"filename\":\" \"}")).isTrue();
    assertThatThrownBy(() -> PresignBody.parse(Buffer.buffer("{\"filename\":\" \"}")))
        .isInstanceOf(PolicyException.class).hasMessage("filename must not be empty");
  }

  private static boolean scans(String body) {
    return PresignBody.plain(body.getBytes(StandardCharsets.UTF_8)) != null;
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> anyMember = Arbitraries.of(NAMES).flatMap(name -> Arbitraries.of(VALUES).flatMap(value ->
        Arbitraries.of(SPACE).list().ofSize(4).map(s ->
            s.get(0) + "\"" + name + "\"" + s.get(1) + ":" + s.get(2) + value + s.get(3))));
    Arbitrary<String> plainMember = Arbitraries.of("filename", "contentType", "checksumSha256", "prefix")
        .flatMap(name -> Arbitraries.strings().withCharRange(' ', '~').excludeChars('"', '\\').ofMaxLength(30)
            .map(v -> "\"" + name + "\":\"" + v + "\""));
    Arbitrary<String> size = Arbitraries.longs().map(n -> "\"size\":" + n);
    // Half the bodies mostly plain (so that many are in the plain shape), half anything.
    Arbitrary<List<String>> members = Arbitraries.oneOf(
        Arbitraries.frequencyOf(Tuple.of(8, plainMember), Tuple.of(2, size), Tuple.of(1, anyMember))
            .list().ofMinSize(1).ofMaxSize(5)
            .uniqueElements(m -> m.substring(0, m.indexOf(':'))),
        Arbitraries.frequencyOf(Tuple.of(1, plainMember), Tuple.of(3, anyMember)).list().ofMaxSize(6));
    Arbitrary<String> around = Arbitraries.frequency(Tuple.of(30, ""),
        Tuple.of(1, " "), Tuple.of(1, "\n"), Tuple.of(1, "x"), Tuple.of(1, " {}"), Tuple.of(1, "\ufeff"),
        Tuple.of(1, "//c"));
    return members.flatMap(list -> around.list().ofSize(2).flatMap(a ->
        Arbitraries.of(",", ",", ",", ",", ",", ",", ",,", " , ").map(comma ->
            a.get(0) + "{" + String.join(comma, list) + "}" + a.get(1))));
  }
}
