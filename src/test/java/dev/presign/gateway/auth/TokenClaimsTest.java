package dev.presign.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.presign.gateway.config.GatewayConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The claim rules of {@link TokenVerifier#checkClaims}, on a fixed clock; signatures are tested elsewhere. */
class TokenClaimsTest {
  private static final long NOW = 1_700_000_000L;
  private static final long LEEWAY = 30;
  private static final String ISSUER = "https://idp.example.com/";

  private final TokenVerifier verifier = verifier(Map.of("JWT_PREFIXES_CLAIM", "prefixes"));

  private static TokenVerifier verifier(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of(
        "S3_BUCKET", "uploads",
        "AWS_REGION", "eu-west-1",
        "JWT_JWKS_URL", "https://idp.example.com/jwks.json",
        "JWT_ISSUER", ISSUER,
        "JWT_AUDIENCE", "presign-gateway,uploads-api",
        "JWT_LEEWAY_SECONDS", String.valueOf(LEEWAY)));
    env.putAll(extra);
    GatewayConfig.Jwt jwt = GatewayConfig.fromEnv(env).jwt();
    return new TokenVerifier(null, null, jwt, Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC));
  }

  /** Claims that pass every rule; each test breaks one. */
  private static JsonObject valid() {
    return new JsonObject()
        .put("iss", ISSUER)
        .put("aud", "presign-gateway")
        .put("sub", "alice")
        .put("iat", NOW - 60)
        .put("nbf", NOW - 60)
        .put("exp", NOW + 300);
  }

  private void refused(JsonObject claims, String message) {
    assertThatThrownBy(() -> verifier.checkClaims(claims))
        .isInstanceOf(AuthException.class)
        .hasMessage(message);
  }

  @Test
  void accepts_valid_claims_as_the_subject_with_no_extra_prefixes() {
    assertThat(verifier.checkClaims(valid())).isEqualTo(new Caller("alice", List.of()));
  }

  // --- exp, nbf, iat ---

  @Test
  void requires_exp() {
    JsonObject claims = valid();
    claims.remove("exp");
    refused(claims, "token has no exp claim; tokens must expire");
  }

  @Test
  void refuses_expired_tokens_beyond_the_leeway() {
    refused(valid().put("exp", NOW - LEEWAY - 1), "token expired");
    refused(valid().put("exp", NOW - 3600), "token expired");
  }

  @Test
  void expires_exactly_when_the_leeway_runs_out() {
    refused(valid().put("exp", NOW - LEEWAY), "token expired");
    assertThat(verifier.checkClaims(valid().put("exp", NOW - LEEWAY + 1)).subject()).isEqualTo("alice");
  }

  @Test
  void accepts_recently_expired_tokens_within_the_leeway() {
    assertThat(verifier.checkClaims(valid().put("exp", NOW - 10)).subject()).isEqualTo("alice");
  }

  @Test
  void applies_no_grace_when_leeway_is_zero() {
    TokenVerifier strict = verifier(Map.of("JWT_LEEWAY_SECONDS", "0"));
    assertThatThrownBy(() -> strict.checkClaims(valid().put("exp", NOW)))
        .isInstanceOf(AuthException.class).hasMessage("token expired");
    assertThat(strict.checkClaims(valid().put("exp", NOW + 1)).subject()).isEqualTo("alice");
  }

  @Test
  void refuses_tokens_not_yet_valid_beyond_the_leeway() {
    refused(valid().put("nbf", NOW + LEEWAY + 1), "token is not valid yet (nbf)");
    assertThat(verifier.checkClaims(valid().put("nbf", NOW + LEEWAY)).subject()).isEqualTo("alice");
  }

  @Test
  void refuses_tokens_issued_in_the_future_beyond_the_leeway() {
    refused(valid().put("iat", NOW + LEEWAY + 1), "token was issued in the future (iat)");
    assertThat(verifier.checkClaims(valid().put("iat", NOW + LEEWAY)).subject()).isEqualTo("alice");
  }

  @Test
  void accepts_tokens_without_nbf_and_iat() {
    JsonObject claims = valid();
    claims.remove("nbf");
    claims.remove("iat");
    assertThat(verifier.checkClaims(claims).subject()).isEqualTo("alice");
  }

  @Test
  void refuses_time_claims_that_are_not_numbers() {
    refused(valid().put("exp", String.valueOf(NOW + 300)), "token claim exp is not a number");
    refused(valid().put("nbf", "yesterday"), "token claim nbf is not a number");
    refused(valid().put("iat", true), "token claim iat is not a number");
  }

  @Test
  void reads_time_claims_parsed_from_json_text() {
    // Real payloads are parsed from text: small numbers become Integer, fractions become Double.
    JsonObject claims = new JsonObject(valid().put("exp", (NOW + 300) + 0.5).encode());
    assertThat(verifier.checkClaims(claims).subject()).isEqualTo("alice");
  }

  // --- iss ---

  @Test
  void refuses_a_wrong_issuer() {
    refused(valid().put("iss", "https://evil.example.com/"), "token issuer (iss) is not the configured issuer");
    refused(valid().put("iss", "https://idp.example.com"), "token issuer (iss) is not the configured issuer");
  }

  @Test
  void refuses_a_missing_issuer() {
    JsonObject claims = valid();
    claims.remove("iss");
    refused(claims, "token issuer (iss) is not the configured issuer");
  }

  // --- aud ---

  @Test
  void accepts_an_audience_string_naming_any_configured_audience() {
    assertThat(verifier.checkClaims(valid().put("aud", "uploads-api")).subject()).isEqualTo("alice");
  }

  @Test
  void accepts_an_audience_array_containing_a_configured_audience() {
    JsonObject claims = valid().put("aud", new JsonArray().add("other-api").add("presign-gateway"));
    assertThat(verifier.checkClaims(claims).subject()).isEqualTo("alice");
  }

  @Test
  void refuses_an_audience_that_names_no_configured_audience() {
    String message = "token audience (aud) does not include [presign-gateway, uploads-api]";
    refused(valid().put("aud", "other-api"), message);
    refused(valid().put("aud", new JsonArray().add("other-api").add("PRESIGN-GATEWAY")), message);
    refused(valid().put("aud", new JsonArray()), message);
    refused(valid().put("aud", 42), message);
    JsonObject claims = valid();
    claims.remove("aud");
    refused(claims, message);
  }

  // --- sub ---

  @Test
  void requires_a_non_empty_string_subject() {
    JsonObject missing = valid();
    missing.remove("sub");
    refused(missing, "token has no sub claim");
    refused(valid().put("sub", ""), "token has no sub claim");
    refused(valid().put("sub", 42), "token has no sub claim");
  }

  // --- extra prefixes ---

  @Test
  void reads_extra_prefixes_from_a_string_claim() {
    Caller caller = verifier.checkClaims(valid().put("prefixes", "tenants/acme/"));
    assertThat(caller).isEqualTo(new Caller("alice", List.of("tenants/acme/")));
  }

  @Test
  void reads_extra_prefixes_from_an_array_claim_skipping_non_strings() {
    JsonObject claims = valid().put("prefixes", new JsonArray().add("tenants/acme/").add(7).add("teams/blue/"));
    assertThat(verifier.checkClaims(claims).extraPrefixes()).containsExactly("tenants/acme/", "teams/blue/");
  }

  @Test
  void keeps_at_most_32_extra_prefixes() {
    JsonArray many = new JsonArray();
    IntStream.range(0, 40).forEach(i -> many.add("team" + i + "/"));
    List<String> prefixes = verifier.checkClaims(valid().put("prefixes", many)).extraPrefixes();
    assertThat(prefixes).hasSize(32).startsWith("team0/").endsWith("team31/");
  }

  @Test
  void ignores_the_prefixes_claim_when_none_is_configured() {
    TokenVerifier plain = verifier(Map.of());
    assertThat(plain.checkClaims(valid().put("prefixes", "tenants/acme/")).extraPrefixes()).isEmpty();
  }

  @Test
  void ignores_a_prefixes_claim_of_another_type() {
    assertThat(verifier.checkClaims(valid().put("prefixes", new JsonObject().put("a", "b"))).extraPrefixes())
        .isEmpty();
  }
}
