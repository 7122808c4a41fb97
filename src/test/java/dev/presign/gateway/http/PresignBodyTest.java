package dev.presign.gateway.http;

import static dev.presign.gateway.support.Cases.percent;
import static dev.presign.gateway.support.Cases.tally;
import static dev.presign.gateway.support.Gen.w;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.policy.UploadRequest;
import dev.presign.gateway.support.Cases;
import dev.presign.gateway.support.Gen;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The plain-shape scan is only a shortcut: whenever it reads a body, Jackson reads the same body to the same fields;
 * whatever it leaves alone, Jackson decides. Bodies are built from the pieces clients (and attackers) send: seeded
 * random ones ({@link Cases}), then every name with every value.
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

  @Test
  void whatever_the_scan_reads_jackson_reads_to_the_same_fields() {
    Map<String, Integer> paths = new HashMap<>();
    Cases.run("scan_and_jackson_agree", 3000, (r, c) -> paths.merge(readBothWays(c.with("body", BODIES.next(r))), 1,
        Integer::sum));
    // Guards against a vacuous property: the bodies must reach all three outcomes.
    assertThat(percent(paths, "plain")).as("%% of bodies read by the fast scan; %s", tally(paths)).isGreaterThan(20.0);
    assertThat(percent(paths, "jackson")).as("%% read by Jackson alone; %s", tally(paths)).isGreaterThan(5.0);
    assertThat(percent(paths, "refused")).as("%% refused; %s", tally(paths)).isGreaterThan(10.0);
    // Every name with every value, as the one member of a body: without white space, and with random white space.
    List<String[]> members = new ArrayList<>();
    for (String name : NAMES) {
      for (String value : VALUES) {
        members.add(new String[] {name, value});
      }
    }
    Cases.each("scan_and_jackson_agree", members, (m, r, c) -> {
      readBothWays(c.with("body", "{\"" + m[0] + "\":" + m[1] + "}"));
      readBothWays(c.with("spaced", "{" + member(r, m[0], m[1]) + "}"));
    });
  }

  /** Which way the body was read: "plain", "jackson" or "refused"; and if by the scan, the same as Jackson. */
  private static String readBothWays(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Object[] plain = PresignBody.plain(bytes);
    Object jackson;
    try {
      jackson = PresignBody.jackson(bytes);
    } catch (PolicyException e) {
      jackson = e.field() + ": " + e.getMessage();
    }
    if (plain != null) {
      assertThat(jackson).as(body).isInstanceOf(Object[].class);
      assertThat(Arrays.asList(plain)).as(body).isEqualTo(Arrays.asList((Object[]) jackson));
    }
    return plain != null ? "plain" : jackson instanceof String ? "refused" : "jackson";
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

  // ---------------------------------------------------------------- generators

  private static final Gen<String> WHITE = Gen.of(SPACE);

  private static String member(Random r, String name, String value) {
    return WHITE.next(r) + "\"" + name + "\"" + WHITE.next(r) + ":" + WHITE.next(r) + value + WHITE.next(r);
  }

  private static final Gen<String> ANY_MEMBER = r -> member(r, Gen.of(NAMES).next(r), Gen.of(VALUES).next(r));
  /** Printable ASCII but '"' and '\\': the strings the scan reads itself. */
  private static final String PLAIN_CHARS = IntStream.rangeClosed(' ', '~').filter(c -> c != '"' && c != '\\')
      .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
  private static final Gen<String> PLAIN_MEMBER = r -> "\"" + Gen.of("filename", "contentType", "checksumSha256",
      "prefix").next(r) + "\":\"" + Gen.strings(PLAIN_CHARS, 0, 30).next(r) + "\"";
  /**
   * Any long, and the edges of the scan's own reading: the longest whole numbers it reads itself (18 digits), the
   * shortest it leaves to Jackson (19), and whole numbers just past a long.
   */
  private static final Gen<String> SIZE = Gen.<String>frequency(w(9, Gen.longs().map(String::valueOf)),
          w(1, Gen.of("999999999999999999", "-999999999999999999", "1000000000000000000", "-1000000000000000000",
              "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
              "9999999999999999999", "18446744073709551616")))
      .map(n -> "\"size\":" + n);
  private static final Gen<String> MOSTLY_PLAIN = Gen.frequency(w(8, PLAIN_MEMBER), w(2, SIZE), w(1, ANY_MEMBER));
  private static final Gen<String> MOSTLY_ANY = Gen.frequency(w(1, PLAIN_MEMBER), w(3, ANY_MEMBER));
  private static final Gen<String> AROUND = Gen.frequency(w(30, Gen.constant("")),
      w(6, Gen.of(" ", "\n", "x", " {}", "\ufeff", "//c")));
  private static final Gen<String> COMMA = Gen.of(",", ",", ",", ",", ",", ",", ",,", " , ");

  /** Half the bodies mostly plain (so that many are in the plain shape), half anything. */
  private static final Gen<String> BODIES = r -> {
    List<String> members = r.nextBoolean() ? distinctMembers(r) : MOSTLY_ANY.list(0, 6).next(r);
    return AROUND.next(r) + "{" + String.join(COMMA.next(r), members) + "}" + AROUND.next(r);
  };

  /** 1 to 5 mostly plain members, no two with the same text before the colon. */
  private static List<String> distinctMembers(Random r) {
    int size = Gen.size(r, 1, 5);
    Set<String> names = new HashSet<>();
    List<String> members = new ArrayList<>();
    while (members.size() < size) {
      String m = MOSTLY_PLAIN.next(r);
      if (names.add(m.substring(0, m.indexOf(':')))) {
        members.add(m);
      }
    }
    return members;
  }
}
