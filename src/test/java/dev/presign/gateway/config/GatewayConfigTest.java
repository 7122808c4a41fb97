package dev.presign.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
  private static final String SECRET = "correct-horse-battery-staple-0123456789"; // 39 bytes, 312 bits

  /** The smallest production environment: a bucket, a region, a key source, an issuer and an audience. */
  private static Map<String, String> production() {
    Map<String, String> env = new HashMap<>();
    env.put("S3_BUCKET", "uploads");
    env.put("AWS_REGION", "eu-west-1");
    env.put("JWT_JWKS_URL", "https://idp.example.com/.well-known/jwks.json");
    env.put("JWT_ISSUER", "https://idp.example.com/");
    env.put("JWT_AUDIENCE", "presign-gateway");
    return env;
  }

  private static Map<String, String> production(String... overrides) {
    Map<String, String> env = production();
    for (int i = 0; i < overrides.length; i += 2) {
      if (overrides[i + 1] == null) {
        env.remove(overrides[i]);
      } else {
        env.put(overrides[i], overrides[i + 1]);
      }
    }
    return env;
  }

  private static List<String> errors(Map<String, String> env) {
    ConfigException[] caught = new ConfigException[1];
    assertThatThrownBy(() -> GatewayConfig.fromEnv(env))
        .isInstanceOfSatisfying(ConfigException.class, e -> caught[0] = e);
    return caught[0].errors();
  }

  @Test
  void applies_documented_defaults_to_a_minimal_production_environment() {
    GatewayConfig config = GatewayConfig.fromEnv(production());

    assertThat(config.devMode()).isFalse();
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.http().managementPort()).isEqualTo(9090);
    assertThat(config.http().instances()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.http().bodyLimitBytes()).isEqualTo(16 * 1024);
    assertThat(config.http().corsOrigins()).isEmpty();

    assertThat(config.jwt().jwksUrl()).isEqualTo(URI.create("https://idp.example.com/.well-known/jwks.json"));
    assertThat(config.jwt().publicKeyFile()).isNull();
    assertThat(config.jwt().hmacSecret()).isNull();
    assertThat(config.jwt().algorithms()).containsExactlyInAnyOrder("RS256", "ES256");
    assertThat(config.jwt().issuer()).isEqualTo("https://idp.example.com/");
    assertThat(config.jwt().audiences()).containsExactly("presign-gateway");
    assertThat(config.jwt().leeway()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.jwt().prefixesClaim()).isNull();
    assertThat(config.jwt().jwksRefresh()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.jwt().jwksMinRefresh()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.jwt().jwksTimeout()).isEqualTo(Duration.ofSeconds(5));

    assertThat(config.s3().bucket()).isEqualTo("uploads");
    assertThat(config.s3().region()).isEqualTo("eu-west-1");
    assertThat(config.s3().endpoint()).isNull();
    assertThat(config.s3().pathStyle()).isFalse();
    assertThat(config.s3().credentialsRefresh()).isEqualTo(Duration.ofMinutes(5));

    assertThat(config.uploads().prefixTemplate()).isEqualTo("users/{sub}/");
    assertThat(config.uploads().allowedContentTypes()).containsExactly("image/*", "video/*", "audio/*",
        "application/pdf", "text/plain", "text/csv", "application/json", "application/zip",
        "application/octet-stream");
    assertThat(config.uploads().maxBytes()).isEqualTo(100L * 1024 * 1024);
    assertThat(config.uploads().requireContentType()).isFalse();
    assertThat(config.uploads().requireSize()).isFalse();
    assertThat(config.uploads().presignTtl()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void dev_mode_needs_no_environment_and_fills_local_defaults() {
    GatewayConfig config = GatewayConfig.fromEnv(Map.of("GATEWAY_DEV_MODE", "true"));

    assertThat(config.devMode()).isTrue();
    assertThat(config.s3().bucket()).isEqualTo("dev-bucket");
    assertThat(config.s3().region()).isEqualTo("us-east-1");
    assertThat(config.jwt().issuer()).isEqualTo("presign-gateway-dev");
    assertThat(config.jwt().audiences()).containsExactly("presign-gateway");
    assertThat(config.jwt().prefixesClaim()).isEqualTo("prefixes");
    assertThat(config.jwt().jwksUrl()).isNull();
  }

  @Test
  void reads_every_overridden_value() {
    GatewayConfig config = GatewayConfig.fromEnv(production(
        "HTTP_PORT", "8443", "MANAGEMENT_PORT", "9443", "HTTP_INSTANCES", "3", "HTTP_BODY_LIMIT_BYTES", "4096",
        "CORS_ALLOWED_ORIGINS", " https://app.example.com , http://localhost:5173 ,",
        "JWT_ALGORITHMS", "ES384, PS256", "JWT_AUDIENCE", "a,b", "JWT_LEEWAY_SECONDS", "0",
        "JWT_PREFIXES_CLAIM", "https://example.com/prefixes",
        "S3_ENDPOINT", "http://127.0.0.1:9000", "S3_PATH_STYLE", "yes", "AWS_CREDENTIALS_REFRESH_SECONDS", "60",
        "ALLOWED_CONTENT_TYPES", "image/png,text/*", "KEY_PREFIX_TEMPLATE", "tenants/{sub}/uploads/",
        "MAX_UPLOAD_BYTES", "5368709120", "REQUIRE_CONTENT_TYPE", "1", "REQUIRE_SIZE", "TRUE",
        "PRESIGN_TTL_SECONDS", "604800", "SHUTDOWN_DRAIN_SECONDS", "7", "SHUTDOWN_TIMEOUT_SECONDS", "20",
        "LOG_FORMAT", "text"));

    assertThat(config.http()).isEqualTo(new GatewayConfig.Http(8443, 9443, 3, 4096,
        List.of("https://app.example.com", "http://localhost:5173"), Duration.ofSeconds(7), Duration.ofSeconds(20),
        false, Duration.ofSeconds(10), 50, 100, "0.0.0.0"));
    assertThat(config.jwt().algorithms()).containsExactlyInAnyOrder("ES384", "PS256");
    assertThat(config.jwt().audiences()).containsExactly("a", "b");
    assertThat(config.jwt().leeway()).isZero();
    assertThat(config.jwt().prefixesClaim()).isEqualTo("https://example.com/prefixes");
    assertThat(config.s3().endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
    assertThat(config.s3().pathStyle()).isTrue();
    assertThat(config.s3().credentialsRefresh()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.uploads()).isEqualTo(new GatewayConfig.Uploads("tenants/{sub}/uploads/",
        List.of("image/png", "text/*"), GatewayConfig.MAX_SINGLE_PUT_BYTES, true, true, Duration.ofDays(7), 100,
        List.of(), false));
  }

  @Test
  void reports_every_error_at_once() {
    ConfigException[] caught = new ConfigException[1];
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of(
        "HTTP_PORT", "eighty",
        "MAX_UPLOAD_BYTES", "0",
        "JWT_ALGORITHMS", "RS256,none",
        "JWT_JWKS_URL", "ftp://idp.example.com/jwks",
        "KEY_PREFIX_TEMPLATE", "uploads/",
        "REQUIRE_SIZE", "maybe")))
        .isInstanceOfSatisfying(ConfigException.class, e -> caught[0] = e);

    assertThat(caught[0].errors()).containsExactlyInAnyOrder(
        "HTTP_PORT=eighty is not a whole number",
        "JWT_JWKS_URL must be an absolute http(s) URL",
        "no JWT signing key: set JWT_JWKS_URL, JWT_PUBLIC_KEY_FILE or JWT_HMAC_SECRET"
            + " (without a key, unsigned tokens would be accepted)",
        "JWT_ALGORITHMS entry 'none' is not one of " + GatewayConfig.SUPPORTED_ALGORITHMS,
        "JWT_ISSUER is required: tokens' iss must equal it",
        "JWT_AUDIENCE is required: tokens' aud must contain one of its comma-separated values",
        "S3_BUCKET is required: the bucket that presigned URLs point at",
        "AWS_REGION is required: the bucket's region, e.g. eu-west-1",
        "KEY_PREFIX_TEMPLATE must contain {sub} so that each caller owns a prefix",
        "MAX_UPLOAD_BYTES=0 is out of range [1, 5368709120]",
        "REQUIRE_SIZE=maybe is not a boolean (true/false)");
    assertThat(caught[0].getMessage())
        .startsWith("invalid configuration:\n  - ")
        .contains("\n  - S3_BUCKET is required")
        .contains("\n  - KEY_PREFIX_TEMPLATE must contain {sub}");
  }

  @Test
  void edge_limit_defaults_to_twenty_verifications_a_second_per_peer_address_and_is_read_when_set() {
    assertThat(GatewayConfig.fromEnv(production()).edge()).isEqualTo(new GatewayConfig.Edge(20, 40, null));
    assertThat(GatewayConfig.fromEnv(production("EDGE_RATE_LIMIT_PER_SECOND", "0", "EDGE_RATE_LIMIT_BURST", "7",
        "CLIENT_IP_HEADER", "X-Real-IP")).edge()).isEqualTo(new GatewayConfig.Edge(0, 7, "X-Real-IP"));
    assertThat(errors(production("CLIENT_IP_HEADER", "X-Forwarded-For: 1.2.3.4", "EDGE_RATE_LIMIT_BURST", "0")))
        .anyMatch(e -> e.startsWith("CLIENT_IP_HEADER=")).anyMatch(e -> e.startsWith("EDGE_RATE_LIMIT_BURST"));
  }

  @Test
  void server_side_encryption_is_off_by_default_and_read_when_set() {
    assertThat(GatewayConfig.fromEnv(production()).s3().sse()).isNull();
    GatewayConfig.S3 kms = GatewayConfig.fromEnv(production("S3_SSE", "aws:kms",
        "S3_SSE_KMS_KEY_ID", "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")).s3();
    assertThat(kms.sse()).isEqualTo("aws:kms");
    assertThat(kms.sseKmsKeyId()).endsWith("1234567890ab");
    assertThat(GatewayConfig.fromEnv(production("S3_SSE", "AES256")).s3().sse()).isEqualTo("AES256");
    assertThat(GatewayConfig.fromEnv(production("S3_SSE", "none")).s3().sse()).isNull();
  }

  @Test
  void refuses_unknown_encryption_and_a_kms_key_without_kms() {
    assertThat(errors(production("S3_SSE", "aes256")))
        .containsExactly("S3_SSE=aes256 must be none, AES256 or aws:kms");
    assertThat(errors(production("S3_SSE", "AES256", "S3_SSE_KMS_KEY_ID", "alias/uploads")))
        .containsExactly("S3_SSE_KMS_KEY_ID is only used with S3_SSE=aws:kms");
    assertThat(errors(production("S3_SSE", "aws:kms", "S3_SSE_KMS_KEY_ID", "alias/up loads")))
        .containsExactly("S3_SSE_KMS_KEY_ID must be a KMS key id, alias or ARN");
  }

  @Test
  void refuses_hmac_secret_under_256_bits() {
    assertThat(errors(production("JWT_JWKS_URL", null, "JWT_HMAC_SECRET", "0123456789abcdef0123456789abcde")))
        .containsExactly("JWT_HMAC_SECRET has 248 bits; at least 256 bits (32 bytes) are required");
  }

  @Test
  void accepts_hmac_secret_of_256_bits_and_defaults_to_hs256() {
    GatewayConfig config = GatewayConfig.fromEnv(
        production("JWT_JWKS_URL", null, "JWT_HMAC_SECRET", "0123456789abcdef0123456789abcdef"));
    assertThat(config.jwt().algorithms()).containsExactly("HS256");
    assertThat(config.jwt().hmacSecret()).isEqualTo("0123456789abcdef0123456789abcdef");
  }

  @Test
  void refuses_hmac_secret_when_no_hs_algorithm_is_allowed() {
    assertThat(errors(production("JWT_HMAC_SECRET", SECRET)))
        .containsExactly("JWT_HMAC_SECRET is set but JWT_ALGORITHMS allows no HS* algorithm");
  }

  @Test
  void never_prints_the_hmac_secret() {
    GatewayConfig config = GatewayConfig.fromEnv(production("JWT_JWKS_URL", null, "JWT_HMAC_SECRET", SECRET));

    assertThat(config.jwt().toString()).doesNotContain(SECRET).doesNotContain("battery")
        .contains("hmacSecret=<redacted>");
    assertThat(config.toString()).doesNotContain(SECRET).contains("hmacSecret=<redacted>");
    assertThat(GatewayConfig.fromEnv(production()).jwt().toString()).contains("hmacSecret=none");
  }

  @Test
  void never_prints_a_short_hmac_secret_in_errors() {
    String shortSecret = "tiny-secret-value";
    ConfigException[] caught = new ConfigException[1];
    assertThatThrownBy(() -> GatewayConfig.fromEnv(production("JWT_HMAC_SECRET", shortSecret)))
        .isInstanceOfSatisfying(ConfigException.class, e -> caught[0] = e);
    assertThat(caught[0].getMessage()).contains("JWT_HMAC_SECRET has 136 bits").doesNotContain(shortSecret);
  }

  @Test
  void refuses_to_start_without_a_key_source_outside_dev_mode() {
    assertThat(errors(production("JWT_JWKS_URL", null))).containsExactly(
        "no JWT signing key: set JWT_JWKS_URL, JWT_PUBLIC_KEY_FILE or JWT_HMAC_SECRET"
            + " (without a key, unsigned tokens would be accepted)");
  }

  @Test
  void accepts_a_public_key_file_as_the_only_key_source() {
    GatewayConfig config = GatewayConfig.fromEnv(production("JWT_JWKS_URL", null,
        "JWT_PUBLIC_KEY_FILE", "/etc/presign/jwt.pem"));
    assertThat(config.jwt().publicKeyFile()).isEqualTo("/etc/presign/jwt.pem");
    assertThat(config.jwt().algorithms()).containsExactlyInAnyOrder("RS256", "ES256");
  }

  @Test
  void refuses_unknown_algorithms() {
    assertThat(errors(production("JWT_ALGORITHMS", "RS256,HS1,rs512")))
        .containsExactly(
            "JWT_ALGORITHMS entry 'HS1' is not one of " + GatewayConfig.SUPPORTED_ALGORITHMS,
            "JWT_ALGORITHMS entry 'rs512' is not one of " + GatewayConfig.SUPPORTED_ALGORITHMS);
  }

  @Test
  void refuses_bad_urls() {
    assertThat(errors(production("JWT_JWKS_URL", "idp.example.com/jwks", "S3_ENDPOINT", "http://exa mple.com")))
        .contains(
            "JWT_JWKS_URL must be an absolute http(s) URL",
            "S3_ENDPOINT is not a valid URL");
    assertThat(errors(production("S3_ENDPOINT", "file:///tmp/s3")))
        .containsExactly("S3_ENDPOINT must be an absolute http(s) URL");
  }

  @Test
  void never_echoes_a_url_that_carries_credentials() {
    List<String> errors = errors(production("JWT_JWKS_URL", "https://user:hunter2@idp.example.com/jwks"));
    assertThat(errors).contains("JWT_JWKS_URL must not carry credentials (user:password@)");
    assertThat(String.join(" ", errors)).doesNotContain("hunter2");
  }

  @Test
  void keeps_the_hmac_secret_byte_for_byte() {
    String secret = " 0123456789abcdef0123456789abcdef ";
    assertThat(GatewayConfig.fromEnv(production("JWT_JWKS_URL", null, "JWT_HMAC_SECRET", secret)).jwt().hmacSecret())
        .isEqualTo(secret);
  }

  @Test
  void refuses_a_jwks_throttle_window_longer_than_the_refresh_interval() {
    assertThat(errors(production("JWKS_REFRESH_SECONDS", "60", "JWKS_MIN_REFRESH_SECONDS", "120")))
        .containsExactly("JWKS_MIN_REFRESH_SECONDS (120) must not exceed JWKS_REFRESH_SECONDS (60)");
  }

  @Test
  void refuses_out_of_range_numbers() {
    assertThat(errors(production(
        "HTTP_PORT", "70000",
        "HTTP_INSTANCES", "0",
        "HTTP_BODY_LIMIT_BYTES", "100",
        "JWT_LEEWAY_SECONDS", "-1",
        "PRESIGN_TTL_SECONDS", "604801",
        "MAX_UPLOAD_BYTES", "5368709121",
        "JWKS_TIMEOUT_MS", "99")))
        .containsExactlyInAnyOrder(
            "HTTP_PORT=70000 is out of range [0, 65535]",
            "HTTP_INSTANCES=0 is out of range [1, 256]",
            "HTTP_BODY_LIMIT_BYTES=100 is out of range [256, 1048576]",
            "JWT_LEEWAY_SECONDS=-1 is out of range [0, 300]",
            "PRESIGN_TTL_SECONDS=604801 is out of range [1, 604800]",
            "MAX_UPLOAD_BYTES=5368709121 is out of range [1, 5368709120]",
            "JWKS_TIMEOUT_MS=99 is out of range [100, 60000]");
  }

  @Test
  void refuses_the_same_port_for_api_and_management() {
    assertThat(errors(production("HTTP_PORT", "9090")))
        .containsExactly("HTTP_PORT and MANAGEMENT_PORT must differ (both are 9090)");
    assertThat(errors(production("HTTP_PORT", "7000", "MANAGEMENT_PORT", "7000")))
        .containsExactly("HTTP_PORT and MANAGEMENT_PORT must differ (both are 7000)");
  }

  @Test
  void listens_on_every_interface_unless_http_host_says_otherwise() {
    assertThat(GatewayConfig.fromEnv(production()).http().host()).isEqualTo("0.0.0.0");
    assertThat(GatewayConfig.fromEnv(production("HTTP_HOST", "127.0.0.1")).http().host()).isEqualTo("127.0.0.1");
    assertThat(GatewayConfig.fromEnv(production("HTTP_HOST", "::1")).http().host()).isEqualTo("::1");
    assertThat(errors(production("HTTP_HOST", "127.0.0.1/8"))).containsExactly("HTTP_HOST=127.0.0.1/8 must be an IP"
        + " address or host name to listen on (0.0.0.0: every interface, 127.0.0.1: this machine only)");
  }

  @Test
  void reads_batch_size_read_prefixes_and_delete_switch() {
    GatewayConfig.Uploads uploads = GatewayConfig.fromEnv(production("BATCH_MAX_FILES", "20",
        "READ_PREFIXES", "public/,shared/docs/", "ALLOW_DELETE", "true")).uploads();
    assertThat(uploads.batchMaxFiles()).isEqualTo(20);
    assertThat(uploads.readPrefixes()).containsExactly("public/", "shared/docs/");
    assertThat(uploads.allowDelete()).isTrue();
    assertThat(errors(production("READ_PREFIXES", "public,/abs/,a//b/,../x/", "BATCH_MAX_FILES", "0")))
        .hasSize(5).allSatisfy(e -> assertThat(e).containsAnyOf("READ_PREFIXES", "BATCH_MAX_FILES"));
  }

  @Test
  void allows_port_zero_for_both_listeners() {
    GatewayConfig config = GatewayConfig.fromEnv(production("HTTP_PORT", "0", "MANAGEMENT_PORT", "0"));
    assertThat(config.http().port()).isZero();
    assertThat(config.http().managementPort()).isZero();
  }

  @Test
  void refuses_prefix_template_without_sub() {
    assertThat(errors(production("KEY_PREFIX_TEMPLATE", "shared/")))
        .containsExactly("KEY_PREFIX_TEMPLATE must contain {sub} so that each caller owns a prefix");
  }

  @Test
  void refuses_prefix_template_that_is_not_a_clean_relative_folder() {
    String shape = "KEY_PREFIX_TEMPLATE must end with '/', not start with '/', and have no empty segment";
    assertThat(errors(production("KEY_PREFIX_TEMPLATE", "users/{sub}"))).containsExactly(shape);
    assertThat(errors(production("KEY_PREFIX_TEMPLATE", "/users/{sub}/"))).containsExactly(shape);
    assertThat(errors(production("KEY_PREFIX_TEMPLATE", "users//{sub}/"))).containsExactly(shape);
  }

  @Test
  void refuses_prefix_template_with_dot_segments() {
    String dots = "KEY_PREFIX_TEMPLATE must have no '.' or '..' segment: clients and proxies resolve them in URLs";
    assertThat(errors(production("KEY_PREFIX_TEMPLATE", "../{sub}/"))).containsExactly(dots);
    assertThat(errors(production("KEY_PREFIX_TEMPLATE", "users/./{sub}/"))).containsExactly(dots);
    assertThat(errors(production("KEY_PREFIX_TEMPLATE", "users/{sub}/../"))).containsExactly(dots);
    assertThat(GatewayConfig.fromEnv(production("KEY_PREFIX_TEMPLATE", "users/.../{sub}/.in/")).uploads()
        .prefixTemplate()).isEqualTo("users/.../{sub}/.in/");
  }

  @Test
  void refuses_content_types_that_are_not_lower_case_type_and_subtype() {
    assertThat(errors(production("ALLOWED_CONTENT_TYPES", "image/png,Image/JPEG,*/*,text")))
        .containsExactly(
            "ALLOWED_CONTENT_TYPES entry 'Image/JPEG' is not a lower-case type/subtype (type/* allowed)",
            "ALLOWED_CONTENT_TYPES entry '*/*' is not a lower-case type/subtype (type/* allowed)",
            "ALLOWED_CONTENT_TYPES entry 'text' is not a lower-case type/subtype (type/* allowed)");
  }

  @Test
  void refuses_cors_entries_that_are_not_origins() {
    assertThat(errors(production("CORS_ALLOWED_ORIGINS", "https://app.example.com,https://app.example.com/path,*")))
        .containsExactly(
            "CORS_ALLOWED_ORIGINS entry 'https://app.example.com/path' must be an origin like"
                + " https://app.example.com (scheme and host, no path)",
            "CORS_ALLOWED_ORIGINS entry '*' must be an origin like https://app.example.com (scheme and host, no path)");
  }

  @Test
  void treats_blank_values_as_unset() {
    GatewayConfig config = GatewayConfig.fromEnv(production("HTTP_PORT", "  ", "JWT_PREFIXES_CLAIM", ""));
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.jwt().prefixesClaim()).isNull();
  }

  @Test
  void s3_api_calls_are_bounded_by_default_and_read_when_set() {
    GatewayConfig.S3Api defaults = GatewayConfig.fromEnv(production()).s3Api();
    assertThat(defaults.callTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(defaults.maxRetries()).isEqualTo(2);
    assertThat(defaults.maxConnections()).isEqualTo(64);
    GatewayConfig.S3Api set = GatewayConfig.fromEnv(production("S3_API_TIMEOUT_MS", "1500",
        "S3_API_MAX_RETRIES", "0", "S3_API_MAX_CONNECTIONS", "8")).s3Api();
    assertThat(set).isEqualTo(new GatewayConfig.S3Api(Duration.ofMillis(1500), 0, 8));
    assertThat(GatewayConfig.fromEnv(production("REQUEST_TIMEOUT_MS", "600")).s3Api().callTimeout())
        .isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void refuses_an_s3_call_timeout_that_the_request_timeout_would_cut() {
    assertThat(errors(production("S3_API_TIMEOUT_MS", "10000"))).singleElement().asString()
        .contains("S3_API_TIMEOUT_MS (10000) must be less than REQUEST_TIMEOUT_MS (10000)");
    assertThat(errors(production("S3_API_MAX_RETRIES", "11"))).singleElement().asString()
        .contains("S3_API_MAX_RETRIES");
  }
}
