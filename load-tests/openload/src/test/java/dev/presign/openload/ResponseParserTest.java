package dev.presign.openload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** OpenLoad's HTTP/1.1 response parser on the byte streams a server may send, split at any read boundary. */
class ResponseParserTest {
  private static final String JSON = "{\"key\":\"users/a/1/x.txt\",\"uploadUrl\":\"http://127.0.0.1:9000/b\"}";
  private static final String FIXED = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
      + JSON.length() + "\r\n\r\n" + JSON;
  private static final String CHUNKED = "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n"
      + "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n5;name=value\r\nhello\r\n0\r\nX-Trailer: yes\r\n\r\n";
  private static final String PROBLEM = "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 11\r\n"
      + "Connection: close\r\n\r\n{\"s\":\"429\"}";

  /** Feeds the response in pieces, one parse per piece as the receiver does; the result after each piece. */
  private static List<Integer> feed(ResponseParser parser, String response, int... cuts) {
    byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
    List<Integer> results = new ArrayList<>();
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : bytes.length;
      parser.buffer().put(bytes, from, to - from);
      results.add(parser.parse());
      from = to;
    }
    return results;
  }

  @Test
  void a_response_with_a_content_length_is_complete_at_its_last_body_byte() {
    ResponseParser parser = new ResponseParser();
    assertEquals(List.of(200), feed(parser, FIXED));
    assertFalse(parser.closeAfter());
    parser.reset();
    assertEquals(List.of(0, 0, 200), feed(parser, FIXED, 10, FIXED.length() - 1));
  }

  @Test
  void a_chunked_response_is_complete_only_after_its_last_chunk_and_trailers() {
    ResponseParser parser = new ResponseParser();
    assertEquals(List.of(201), feed(parser, CHUNKED));
    parser.reset();
    int zero = CHUNKED.indexOf("0\r\nX-Trailer");
    assertEquals(List.of(0, 0, 0, 201), feed(parser, CHUNKED, zero, zero + 3, CHUNKED.length() - 2));
  }

  @Test
  void a_chunk_size_line_split_across_reads_is_kept_whole() {
    String body = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n" + "x".repeat(256) + "\r\n0\r\n\r\n";
    int sizeLine = body.indexOf("100\r\n");
    assertEquals(List.of(0, 0, 200), feed(new ResponseParser(), body, sizeLine + 1, sizeLine + 2));
  }

  @Test
  void every_split_of_each_response_gives_its_status_at_the_last_byte_and_never_before() {
    for (String response : List.of(FIXED, CHUNKED, PROBLEM, "HTTP/1.1 204 No Content\r\n\r\n")) {
      int n = response.length();
      int status = Integer.parseInt(response.substring(9, 12));
      for (int a = 1; a < n; a++) { // every single cut
        assertEquals(List.of(0, status), feed(new ResponseParser(), response, a), response + " cut at " + a);
      }
      Random random = new Random(14);
      for (int trial = 0; trial < 500; trial++) { // and random reads of 1 to 8 bytes
        ResponseParser parser = new ResponseParser();
        List<Integer> cuts = new ArrayList<>();
        for (int at = 1 + random.nextInt(8); at < n; at += 1 + random.nextInt(8)) {
          cuts.add(at);
        }
        List<Integer> results = feed(parser, response, cuts.stream().mapToInt(Integer::intValue).toArray());
        assertEquals(status, results.get(results.size() - 1), response + " cut at " + cuts);
        assertTrue(results.subList(0, results.size() - 1).stream().allMatch(r -> r == 0), results + " at " + cuts);
      }
    }
  }

  @Test
  void one_parser_reads_response_after_response_on_a_keep_alive_connection() {
    ResponseParser parser = new ResponseParser();
    for (String response : List.of(CHUNKED, FIXED, CHUNKED, PROBLEM)) {
      parser.reset();
      int status = Integer.parseInt(response.substring(9, 12));
      assertEquals(List.of(0, status), feed(parser, response, response.length() / 2));
    }
  }

  @Test
  void connection_close_and_http_1_0_mean_the_connection_ends_after_the_response() {
    ResponseParser parser = new ResponseParser();
    assertEquals(List.of(429), feed(parser, PROBLEM));
    assertTrue(parser.closeAfter());
    parser.reset();
    assertEquals(List.of(200), feed(parser, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    assertTrue(parser.closeAfter());
    parser.reset();
    assertFalse(parser.closeAfter());
  }

  @Test
  void a_body_that_is_not_all_there_is_not_complete() {
    assertEquals(List.of(0), feed(new ResponseParser(), FIXED.substring(0, FIXED.length() - 1)));
    assertEquals(List.of(0), feed(new ResponseParser(), CHUNKED.replace("0\r\nX-Trailer: yes\r\n\r\n", "")));
  }

  @Test
  void what_is_not_an_http_1_answer_is_refused() {
    assertEquals(List.of(-1), feed(new ResponseParser(), "SSH-2.0-OpenSSH_9.2\r\n\r\n"));
    assertEquals(List.of(-1), feed(new ResponseParser(), "HTTP/2 200\r\n\r\n"));
    assertEquals(List.of(-1), feed(new ResponseParser(), "HTTP/1.1 2x0 OK\r\n\r\n"));
    String huge = "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(ResponseParser.BUFFER_BYTES) + "\r\n\r\n";
    ResponseParser parser = new ResponseParser();
    parser.buffer().put(huge.getBytes(StandardCharsets.ISO_8859_1), 0, ResponseParser.BUFFER_BYTES);
    assertEquals(-1, parser.parse(), "a head over 16 KiB");
  }
}
