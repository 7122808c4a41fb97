package dev.presign.gateway.dev;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * {@code java -jar target/presign-gateway.jar local}: S3Proxy in memory on 127.0.0.1:9000 with the dev bucket,
 * and the gateway in dev mode on 8080 (management 9090). No AWS account needed. Prints a curl session.
 */
public final class LocalStack {
  private final Map<String, String> env;
  private final S3ProxyProcess s3;

  private LocalStack(Map<String, String> env, S3ProxyProcess s3) {
    this.env = env;
    this.s3 = s3;
  }

  /**
   * Starts S3Proxy with the dev bucket and sets up the credentials chain to sign with its identity; the gateway
   * is then started by the caller with {@link #env()}. Stopped by a shutdown hook with the process.
   */
  public static LocalStack start(Map<String, String> environment) {
    Map<String, String> env = withDefaults(environment);
    List<String> origins = List.of(env.get("CORS_ALLOWED_ORIGINS").split(","));
    URI s3Endpoint = URI.create(env.get("S3_ENDPOINT"));
    Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy.jar"));

    // S3Proxy listens where S3_ENDPOINT points (127.0.0.1 by default): the host URLs are signed for.
    S3ProxyProcess s3 = S3ProxyProcess.start(jar, s3Endpoint.getHost(), s3Endpoint.getPort(), origins);
    Runtime.getRuntime().addShutdownHook(new Thread(s3::close, "s3proxy-stop"));
    createBucket(s3.endpoint(), env.get("S3_BUCKET"), env.get("AWS_REGION"));

    // The default credentials chain reads these system properties first: the gateway signs with
    // S3Proxy's identity exactly as it would with keys from IRSA or the environment.
    System.setProperty("aws.accessKeyId", S3ProxyProcess.IDENTITY);
    System.setProperty("aws.secretAccessKey", S3ProxyProcess.CREDENTIAL);
    return new LocalStack(env, s3);
  }

  /**
   * The gateway's environment for this stack: the caller's, with the local defaults filled in (also what
   * {@code doctor --local} checks a running stack with).
   */
  public static Map<String, String> withDefaults(Map<String, String> environment) {
    Map<String, String> env = new HashMap<>(environment);
    env.putIfAbsent("GATEWAY_DEV_MODE", "true");
    // /dev/token mints a token for any subject: only this machine may reach the stack unless told otherwise.
    env.putIfAbsent("HTTP_HOST", "127.0.0.1");
    env.putIfAbsent("S3_ENDPOINT", "http://127.0.0.1:9000");
    env.putIfAbsent("S3_PATH_STYLE", "true");
    env.putIfAbsent("S3_BUCKET", "dev-bucket");
    env.putIfAbsent("AWS_REGION", "us-east-1");
    env.putIfAbsent("LOG_FORMAT", "text");
    env.putIfAbsent("SHUTDOWN_DRAIN_SECONDS", "0");
    env.putIfAbsent("HTTP_PORT", "8080");
    // The gateway and S3Proxy let the same browser origins in: the demo page's own and the configured ones.
    env.put("CORS_ALLOWED_ORIGINS", String.join(",", browserOrigins(env)));
    return env;
  }

  /**
   * The browser origins of the stack: the demo page's (the gateway's own: browsers send Origin on a same-origin
   * POST too) and every frontend named in CORS_ALLOWED_ORIGINS. Both the gateway and S3Proxy get all of them, so
   * an upload the gateway signs for a page is not then blocked by S3Proxy's CORS preflight.
   */
  static List<String> browserOrigins(Map<String, String> env) {
    String port = env.get("HTTP_PORT");
    Set<String> origins = new LinkedHashSet<>(List.of("http://127.0.0.1:" + port, "http://localhost:" + port));
    for (String origin : env.getOrDefault("CORS_ALLOWED_ORIGINS", "").split(",")) {
      if (!origin.isBlank()) {
        origins.add(origin.strip());
      }
    }
    return List.copyOf(origins);
  }

  /** The gateway's environment for this stack: the caller's, with the local defaults filled in. */
  public Map<String, String> env() {
    return env;
  }

  public static void createBucket(String endpoint, String bucket, String region) {
    try (S3AsyncClient client = S3AsyncClient.builder()
        .endpointOverride(URI.create(endpoint))
        .forcePathStyle(true)
        .region(Region.of(region))
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3ProxyProcess.IDENTITY, S3ProxyProcess.CREDENTIAL)))
        .build()) {
      client.createBucket(b -> b.bucket(bucket)).join();
    }
  }

  /** Prints the stack's addresses and a curl session to copy and paste, once the gateway listens. */
  public void printSession(int port, int managementPort) {
    String api = "http://127.0.0.1:" + port;
    String s3 = this.s3.endpoint();
    String bucket = env.get("S3_BUCKET");
    System.out.println("""

        presign-gateway local stack is up (dev mode: tokens are minted locally, no AWS account involved)
          gateway     %1$s        management http://127.0.0.1:%2$d/health/ready
          S3 (S3Proxy) %3$s  bucket %4$s
          upload demo page  %1$s/  (open it in a browser; dev mode only)
          browser origins   %5$s  (CORS_ALLOWED_ORIGINS, given to both)

        Copy and paste:

        TOKEN=$(curl -s -X POST %1$s/dev/token -H 'Content-Type: application/json' \\
          -d '{"sub":"alice"}' | sed -E 's/.*"token":"([^"]+)".*/\\1/')
        printf 'hello from presign-gateway\\n' > hello.txt
        RESP=$(curl -s -X POST %1$s/api/s3/presign -H "Authorization: Bearer $TOKEN" \\
          -H 'Content-Type: application/json' \\
          -d "{\\"filename\\":\\"hello.txt\\",\\"contentType\\":\\"text/plain\\",\\"size\\":$(wc -c < hello.txt)}")
        echo "$RESP"
        URL=$(echo "$RESP" | sed -E 's/.*"uploadUrl":"([^"]+)".*/\\1/')
        curl -sS -i -X PUT "$URL" -H 'Content-Type: text/plain' --data-binary @hello.txt

        The PUT answers 200 with an ETag. Check this setup: java -jar target/presign-gateway.jar doctor --local
        Ctrl-C stops the gateway and S3Proxy.
        """.formatted(api, managementPort, s3, bucket, env.get("CORS_ALLOWED_ORIGINS")));
  }
}
