package dev.presign.loadtests;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Part-URL signing at a fixed rate (open workload): {@code POST /api/s3/multipart/sign} with {@code -Dparts} part
 * numbers a call for multipart uploads made beforehand (lifecycle-bench.sh makes them through the gateway), each
 * answer checked (200, as many URLs as asked, each an UploadPart of that upload).
 *
 * <pre>mvn gatling:test -Dgatling.simulationClass=dev.presign.loadtests.MultipartSimulation \
 *   -DbaseUrl=http://127.0.0.1:8080 -DuploadFile=uploads.txt -Drate=200 -Dduration=30 -Dparts=100 [-Dp99=50]</pre>
 * uploads.txt: {@code token<TAB>key<TAB>uploadId} per line.
 */
public class MultipartSimulation extends Simulation {
  private final String baseUrl = Settings.baseUrl();
  private final double rate = Settings.decimal("rate", 100);
  private final int duration = Settings.integer("duration", 30);
  private final int parts = Settings.integer("parts", 100);
  private final List<String[]> uploads = read(Settings.string("uploadFile", "uploads.txt"));

  private final ScenarioBuilder sign = scenario("multipart sign")
      .feed(feeder())
      .exec(http("multipart sign " + parts).post("/api/s3/multipart/sign")
          .header("Authorization", "Bearer #{token}").body(StringBody("#{body}")).asJson()
          .check(status().is(200), jsonPath("$.parts[*].url").count().is(parts),
              jsonPath("$.parts[0].url").transform(url -> url.contains("uploadId=")).is(true)));

  public MultipartSimulation() {
    setUp(sign.injectOpen(constantUsersPerSec(rate).during(duration))).protocols(Requests.protocol(baseUrl))
        .assertions(Settings.assertions()).maxDuration(Settings.maxDuration(duration));
  }

  private Iterator<Map<String, Object>> feeder() {
    return Stream.generate(() -> {
      String[] u = uploads.get(ThreadLocalRandom.current().nextInt(uploads.size()));
      int start = ThreadLocalRandom.current().nextInt(1, 10_002 - parts);
      StringJoiner numbers = new StringJoiner(",");
      for (int p = start; p < start + parts; p++) {
        numbers.add(Integer.toString(p));
      }
      Map<String, Object> row = new HashMap<>();
      row.put("token", u[0]);
      row.put("body", "{\"key\":\"" + u[1] + "\",\"uploadId\":\"" + u[2] + "\",\"partNumbers\":[" + numbers + "]}");
      return row;
    }).iterator();
  }

  private static List<String[]> read(String file) {
    try {
      List<String[]> rows = new ArrayList<>();
      for (String line : Files.readAllLines(Path.of(file))) {
        if (!line.isBlank()) {
          rows.add(line.split("\t", 3));
        }
      }
      if (rows.isEmpty()) {
        throw new IllegalArgumentException("no upload in " + file);
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
