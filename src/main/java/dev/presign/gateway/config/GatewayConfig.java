package dev.presign.gateway.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the gateway reads from its environment, read once and validated at start.
 * Each variable is documented in README.md's configuration table.
 */
public record GatewayConfig(Http http, Jwt jwt, S3 s3, Uploads uploads, boolean devMode, Edge edge,
                            S3Api s3Api, WarmUp warmUp) {

  /** SigV4's hard limit for a presigned URL. */
  public static final long MAX_PRESIGN_TTL_SECONDS = 7 * 24 * 3600;
  /** S3's limit for one PUT. */
  public static final long MAX_SINGLE_PUT_BYTES = 5L * 1024 * 1024 * 1024;

  public record Http(int port, int managementPort, int instances, int bodyLimitBytes, List<String> corsOrigins,
                     Duration shutdownDrain, Duration shutdownTimeout, boolean jsonLogs, Duration requestTimeout,
                     double rateLimitPerSecond, int rateLimitBurst, String host) {

    /** The same settings for a server on 127.0.0.1 and a port of the system's choosing. */
    public Http onLoopback() {
      return new Http(0, managementPort, instances, bodyLimitBytes, corsOrigins, shutdownDrain, shutdownTimeout,
          jsonLogs, requestTimeout, rateLimitPerSecond, rateLimitBurst, "127.0.0.1");
    }
  }

  /**
   * Before readiness, the gateway sends itself up to {@code requests} API requests over loopback (0: none) for at
   * most {@code maxTime}, so that the first real requests meet a warm JVM (see the WarmUp class).
   */
  public record WarmUp(int requests, Duration maxTime) {
    public boolean enabled() {
      return requests > 0;
    }
  }

  /**
   * The per-client-address limit on token verifications a cached token did not spare (see http.EdgeLimiter):
   * {@code perSecond} 0 disables it; {@code clientIpHeader} null means the connection's peer address.
   */
  public record Edge(double perSecond, int burst, String clientIpHeader) {}

  public record Jwt(
      URI jwksUrl,
      String publicKeyFile,
      String hmacSecret,
      Set<String> algorithms,
      String issuer,
      List<String> audiences,
      Duration leeway,
      String prefixesClaim,
      Duration jwksRefresh,
      Duration jwksMinRefresh,
      Duration jwksTimeout,
      int cacheSize) {

    @Override
    public String toString() { // never print the secret
      return "Jwt[jwksUrl=" + jwksUrl + ", publicKeyFile=" + publicKeyFile + ", hmacSecret="
          + (hmacSecret == null ? "none" : "<redacted>") + ", algorithms=" + algorithms + ", issuer=" + issuer
          + ", audiences=" + audiences + ", leeway=" + leeway + ", prefixesClaim=" + prefixesClaim + "]";
    }
  }

  /**
   * {@code sse}: null, "AES256" or "aws:kms", signed into every URL (as x-amz-server-side-encryption) so that a
   * bucket policy requiring encryption accepts the PUT; {@code sseKmsKeyId} only with aws:kms.
   */
  public record S3(String bucket, String region, URI endpoint, boolean pathStyle, Duration credentialsRefresh,
                   boolean fastSigner, String sse, String sseKmsKeyId) {}

  /**
   * The S3 API client (HeadObject, multipart, listing): {@code callTimeout} bounds one call with its retries,
   * each of the {@code maxRetries + 1} attempts gets an equal share of it; at most {@code maxConnections} open.
   */
  public record S3Api(Duration callTimeout, int maxRetries, int maxConnections) {}

  public record Uploads(
      String prefixTemplate,
      List<String> allowedContentTypes,
      long maxBytes,
      boolean requireContentType,
      boolean requireSize,
      Duration presignTtl,
      int batchMaxFiles,
      List<String> readPrefixes,
      boolean allowDelete) {

    /** Upload rules alone, with the defaults for batches, reads and deletes. */
    public Uploads(String prefixTemplate, List<String> allowedContentTypes, long maxBytes, boolean requireContentType,
                   boolean requireSize, Duration presignTtl) {
      this(prefixTemplate, allowedContentTypes, maxBytes, requireContentType, requireSize, presignTtl, 100, List.of(),
          false);
    }
  }

  static final Set<String> SUPPORTED_ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256", "HS384", "HS512");

  public static GatewayConfig fromEnv(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    boolean dev = r.bool("GATEWAY_DEV_MODE", false);

    Http http = new Http(
        r.integer("HTTP_PORT", 8080, 0, 65535),
        r.integer("MANAGEMENT_PORT", 9090, 0, 65535),
        r.integer("HTTP_INSTANCES", Runtime.getRuntime().availableProcessors(), 1, 256),
        r.integer("HTTP_BODY_LIMIT_BYTES", 16 * 1024, 256, 1024 * 1024),
        r.list("CORS_ALLOWED_ORIGINS", null),
        Duration.ofSeconds(r.number("SHUTDOWN_DRAIN_SECONDS", 5, 0, 300)),
        Duration.ofSeconds(r.number("SHUTDOWN_TIMEOUT_SECONDS", 10, 0, 300)),
        logFormat(r),
        Duration.ofMillis(r.number("REQUEST_TIMEOUT_MS", 10_000, 100, 120_000)),
        r.decimal("RATE_LIMIT_PER_SECOND", 50, 0, 1_000_000),
        r.integer("RATE_LIMIT_BURST", 100, 1, 1_000_000),
        r.string("HTTP_HOST", "0.0.0.0"));
    r.check(http.host().matches("[A-Za-z0-9.:-]{1,253}"), "HTTP_HOST=" + http.host()
        + " must be an IP address or host name to listen on (0.0.0.0: every interface, 127.0.0.1: this machine only)");
    for (String origin : http.corsOrigins()) {
      r.check(origin.matches("https?://[^/\\s]+"), "CORS_ALLOWED_ORIGINS entry '" + origin
          + "' must be an origin like https://app.example.com (scheme and host, no path)");
    }
    r.check(http.port() == 0 || http.port() != http.managementPort(),
        "HTTP_PORT and MANAGEMENT_PORT must differ (both are " + http.port() + ")");

    Jwt jwt = readJwt(r, dev);
    S3 s3 = new S3(
        dev ? r.string("S3_BUCKET", "dev-bucket") : r.required("S3_BUCKET", "the bucket that presigned URLs point at"),
        dev ? r.string("AWS_REGION", "us-east-1") : r.required("AWS_REGION", "the bucket's region, e.g. eu-west-1"),
        r.httpUrl("S3_ENDPOINT"),
        r.bool("S3_PATH_STYLE", false),
        Duration.ofSeconds(r.number("AWS_CREDENTIALS_REFRESH_SECONDS", 300, 1, 3600)),
        signer(r),
        sse(r),
        r.string("S3_SSE_KMS_KEY_ID", null));
    r.check(s3.sseKmsKeyId() == null || "aws:kms".equals(s3.sse()),
        "S3_SSE_KMS_KEY_ID is only used with S3_SSE=aws:kms");
    r.check(s3.sseKmsKeyId() == null || s3.sseKmsKeyId().matches("[A-Za-z0-9:/_.-]{1,2048}"),
        "S3_SSE_KMS_KEY_ID must be a KMS key id, alias or ARN");

    // image/* does not admit image/svg+xml: no type/* entry admits a type that runs script (KeyPolicy.ACTIVE_CONTENT).
    List<String> types = r.list("ALLOWED_CONTENT_TYPES",
        "image/*,video/*,audio/*,application/pdf,text/plain,text/csv,application/json,application/zip,application/octet-stream");
    for (String t : types) {
      r.check(t.matches("[a-z0-9!#$&^_.+-]+/([a-z0-9!#$&^_.+-]+|\\*)"),
          "ALLOWED_CONTENT_TYPES entry '" + t + "' is not a lower-case type/subtype (type/* allowed)");
    }
    String template = r.string("KEY_PREFIX_TEMPLATE", "users/{sub}/");
    r.check(template.contains("{sub}"), "KEY_PREFIX_TEMPLATE must contain {sub} so that each caller owns a prefix");
    r.check(template.endsWith("/") && !template.startsWith("/") && !template.contains("//"),
        "KEY_PREFIX_TEMPLATE must end with '/', not start with '/', and have no empty segment");
    r.check(!("/" + template).matches(".*/\\.{1,2}(/.*)?"),
        "KEY_PREFIX_TEMPLATE must have no '.' or '..' segment: clients and proxies resolve them in URLs");
    Uploads uploads = new Uploads(
        template,
        types,
        r.number("MAX_UPLOAD_BYTES", 100L * 1024 * 1024, 1, MAX_SINGLE_PUT_BYTES),
        r.bool("REQUIRE_CONTENT_TYPE", false),
        r.bool("REQUIRE_SIZE", false),
        Duration.ofSeconds(r.number("PRESIGN_TTL_SECONDS", 300, 1, MAX_PRESIGN_TTL_SECONDS)),
        r.integer("BATCH_MAX_FILES", 100, 1, 1000),
        r.list("READ_PREFIXES", null),
        r.bool("ALLOW_DELETE", false));
    for (String prefix : uploads.readPrefixes()) {
      r.check(prefix.endsWith("/") && !prefix.startsWith("/") && !("/" + prefix).matches(".*/\\.{0,2}/.*"),
          "READ_PREFIXES entry '" + prefix + "' must be a folder like public/ (ends with '/', no empty, '.' or '..'"
              + " segment)");
    }

    Edge edge = new Edge(
        r.decimal("EDGE_RATE_LIMIT_PER_SECOND", 20, 0, 1_000_000),
        r.integer("EDGE_RATE_LIMIT_BURST", 40, 1, 1_000_000),
        r.string("CLIENT_IP_HEADER", null));
    r.check(edge.clientIpHeader() == null || edge.clientIpHeader().matches("[A-Za-z0-9-]{1,64}"),
        "CLIENT_IP_HEADER=" + edge.clientIpHeader() + " must be a header name such as X-Forwarded-For");
    S3Api s3Api = new S3Api(
        // Unset: 5 s, or half the request's time when that is shorter, so that S3's fault is answered before the 408.
        Duration.ofMillis(r.number("S3_API_TIMEOUT_MS", Math.min(5_000, http.requestTimeout().toMillis() / 2), 50,
            60_000)),
        r.integer("S3_API_MAX_RETRIES", 2, 0, 10),
        r.integer("S3_API_MAX_CONNECTIONS", 64, 1, 10_000));
    r.check(s3Api.callTimeout().compareTo(http.requestTimeout()) < 0, "S3_API_TIMEOUT_MS ("
        + s3Api.callTimeout().toMillis() + ") must be less than REQUEST_TIMEOUT_MS (" + http.requestTimeout().toMillis()
        + "): a slow S3 must be answered as 504, not cut by the request's 408");

    WarmUp warmUp = new WarmUp(r.integer("WARM_UP_REQUESTS", 1000, 0, 1_000_000),
        Duration.ofMillis(r.number("WARM_UP_MAX_MS", 5_000, 100, 120_000)));

    if (!r.errors.isEmpty()) {
      throw new ConfigException(r.errors);
    }
    return new GatewayConfig(http, jwt, s3, uploads, dev, edge, s3Api, warmUp);
  }

  /** S3_SIGNER=fast (default): the gateway's own SigV4 signer; sdk: the AWS SDK's presigner, the reference. */
  private static boolean signer(EnvReader r) {
    String signer = r.string("S3_SIGNER", "fast");
    r.check(signer.equals("fast") || signer.equals("sdk"), "S3_SIGNER=" + signer + " must be fast or sdk");
    return signer.equals("fast");
  }

  /** S3_SSE: none (default), AES256 (SSE-S3) or aws:kms (SSE-KMS). */
  private static String sse(EnvReader r) {
    String sse = r.string("S3_SSE", "none");
    r.check(sse.equals("none") || sse.equals("AES256") || sse.equals("aws:kms"),
        "S3_SSE=" + sse + " must be none, AES256 or aws:kms");
    return sse.equals("none") ? null : sse;
  }

  private static boolean logFormat(EnvReader r) {
    String format = r.string("LOG_FORMAT", "json");
    r.check(format.equals("json") || format.equals("text"), "LOG_FORMAT=" + format + " must be json or text");
    return !format.equals("text");
  }

  private static Jwt readJwt(EnvReader r, boolean dev) {
    URI jwksUrl = r.httpUrl("JWT_JWKS_URL");
    String keyFile = r.string("JWT_PUBLIC_KEY_FILE", null);
    String secret = r.raw("JWT_HMAC_SECRET");
    if (!dev) {
      r.check(jwksUrl != null || keyFile != null || secret != null,
          "no JWT signing key: set JWT_JWKS_URL, JWT_PUBLIC_KEY_FILE or JWT_HMAC_SECRET"
              + " (without a key, unsigned tokens would be accepted)");
    }
    if (secret != null) {
      int bits = secret.getBytes(StandardCharsets.UTF_8).length * 8;
      r.check(bits >= 256, "JWT_HMAC_SECRET has " + bits + " bits; at least 256 bits (32 bytes) are required");
    }
    List<String> algs = r.list("JWT_ALGORITHMS", secret != null && jwksUrl == null && keyFile == null
        ? "HS256" : "RS256,ES256");
    for (String a : algs) {
      r.check(SUPPORTED_ALGORITHMS.contains(a), "JWT_ALGORITHMS entry '" + a + "' is not one of " + SUPPORTED_ALGORITHMS);
    }
    if (secret != null) {
      r.check(algs.stream().anyMatch(a -> a.startsWith("HS")),
          "JWT_HMAC_SECRET is set but JWT_ALGORITHMS allows no HS* algorithm");
    } else if (jwksUrl != null || keyFile != null || !dev) {
      r.check(algs.stream().anyMatch(a -> !a.startsWith("HS")),
          "JWT_ALGORITHMS allows only HS* algorithms but JWT_HMAC_SECRET is not set");
    }
    String issuer = dev ? r.string("JWT_ISSUER", "presign-gateway-dev")
        : r.required("JWT_ISSUER", "tokens' iss must equal it");
    List<String> audiences = dev ? r.list("JWT_AUDIENCE", "presign-gateway")
        : r.list("JWT_AUDIENCE", null);
    if (!dev && audiences.isEmpty()) {
      r.errors.add("JWT_AUDIENCE is required: tokens' aud must contain one of its comma-separated values");
    }
    Duration refresh = Duration.ofSeconds(r.number("JWKS_REFRESH_SECONDS", 300, 10, 86400));
    Duration minRefresh = Duration.ofSeconds(r.number("JWKS_MIN_REFRESH_SECONDS", 30, 1, 3600));
    r.check(minRefresh.compareTo(refresh) <= 0, "JWKS_MIN_REFRESH_SECONDS (" + minRefresh.toSeconds()
        + ") must not exceed JWKS_REFRESH_SECONDS (" + refresh.toSeconds() + ")");
    return new Jwt(jwksUrl, keyFile, secret, Set.copyOf(algs), issuer, audiences,
        Duration.ofSeconds(r.number("JWT_LEEWAY_SECONDS", 30, 0, 300)),
        r.string("JWT_PREFIXES_CLAIM", dev ? "prefixes" : null),
        refresh, minRefresh,
        Duration.ofMillis(r.number("JWKS_TIMEOUT_MS", 5000, 100, 60000)),
        r.integer("JWT_CACHE_SIZE", 2048, 0, 1_000_000));
  }
}
