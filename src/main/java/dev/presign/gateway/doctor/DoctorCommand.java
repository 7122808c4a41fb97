package dev.presign.gateway.doctor;

import dev.presign.gateway.dev.LocalStack;
import dev.presign.gateway.dev.S3ProxyProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@code doctor [--json] [--local]}: runs the {@link Doctor} with the server's environment and default credentials
 * chain ({@code --local}: a running {@code local} stack's settings and S3Proxy identity), prints one line per check
 * (or one JSON document), and answers the exit status: 0 when nothing failed, 1 otherwise, 2 for bad arguments.
 */
public final class DoctorCommand {
  private DoctorCommand() {}

  public static int run(List<String> args, Map<String, String> env, PrintStream out) {
    boolean json = args.contains("--json");
    boolean local = args.contains("--local");
    if (args.stream().anyMatch(a -> !a.equals("--json") && !a.equals("--local"))) {
      out.println("usage: java -jar presign-gateway.jar doctor [--json] [--local]");
      return 2;
    }
    AwsCredentialsProvider chain = local
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyProcess.IDENTITY, S3ProxyProcess.CREDENTIAL))
        : DefaultCredentialsProvider.builder().build();
    List<Check> checks = new Doctor(local ? LocalStack.withDefaults(env) : env, chain, Clock.systemUTC()).run();
    print(checks, json, out);
    return checks.stream().anyMatch(Check::failed) ? 1 : 0;
  }

  static void print(List<Check> checks, boolean json, PrintStream out) {
    long failed = checks.stream().filter(Check::failed).count();
    if (json) {
      JsonArray array = new JsonArray();
      checks.forEach(c -> array.add(c.toJson()));
      out.println(new JsonObject().put("ok", failed == 0).put("checks", array).encodePrettily());
      return;
    }
    checks.forEach(c -> out.println(c.toText()));
    long passed = checks.stream().filter(c -> c.status() == Check.Status.PASS).count();
    out.println(failed == 0 ? "all " + passed + " checks passed"
        : failed + " of " + checks.size() + " checks failed: the lines marked FAIL say what to change");
  }
}
