package dev.presign.gateway.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** S3's error documents → the seed's rows, as the doctor's probe reads them. */
class S3ErrorTest {
  static S3Error error(int status, String code, String message) {
    return S3Error.of(status, "<?xml version='1.0' encoding='UTF-8'?><Error><Code>" + code + "</Code><Message>"
        + message + "</Message><RequestId>1</RequestId></Error>");
  }

  @Test
  void signature_does_not_match_and_an_unknown_access_key_are_the_signature_row() {
    assertThat(error(403, "SignatureDoesNotMatch", "The request signature we calculated…").row())
        .isEqualTo(SeedRow.SIGNATURE);
    assertThat(error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist").row())
        .isEqualTo(SeedRow.SIGNATURE);
  }

  @Test
  void access_denied_is_the_policy_row_unless_it_says_the_request_expired() {
    assertThat(error(403, "AccessDenied", "Access Denied").row()).isEqualTo(SeedRow.POLICY);
    assertThat(error(403, "AccessDenied", "Request has expired").row()).isEqualTo(SeedRow.EXPIRY);
    assertThat(error(403, "AccessDenied", "Request is not yet valid").row()).isEqualTo(SeedRow.EXPIRY);
    assertThat(error(403, "RequestTimeTooSkewed", "The difference … is too large.").row()).isEqualTo(SeedRow.EXPIRY);
    assertThat(error(400, "ExpiredToken", "The provided token has expired.").row()).isEqualTo(SeedRow.EXPIRY);
  }

  @Test
  void a_wrong_region_or_an_answer_that_is_not_s3_xml_is_the_endpoint_row() {
    assertThat(error(301, "PermanentRedirect", "The bucket you are attempting to access must be addressed…").row())
        .isEqualTo(SeedRow.ENDPOINT);
    assertThat(error(400, "AuthorizationHeaderMalformed", "the region 'us-east-1' is wrong").row())
        .isEqualTo(SeedRow.ENDPOINT);
    S3Error html = S3Error.of(403, "<html><body>CloudFront: Forbidden</body></html>");
    assertThat(html.row()).isEqualTo(SeedRow.ENDPOINT);
    assertThat(html.describe()).isEqualTo("403 (not an S3 error document)");
  }

  @Test
  void other_errors_name_no_row_but_keep_s3s_words() {
    S3Error slowDown = error(503, "SlowDown", "Please reduce your request rate.");
    assertThat(slowDown.row()).isNull();
    assertThat(slowDown.describe()).isEqualTo("503 SlowDown: Please reduce your request rate.");
    assertThat(slowDown.fix()).contains("not in the seed's table");
  }

  @Test
  void a_failed_check_prints_its_row_and_fix_under_its_line_and_in_json() {
    Check check = Check.fail("probe PUT", "403 SignatureDoesNotMatch", SeedRow.SIGNATURE, "send the signed headers");
    assertThat(check.toText()).isEqualTo(String.join(System.lineSeparator(),
        "FAIL  probe PUT     403 SignatureDoesNotMatch",
        "          seed row: 403 SignatureDoesNotMatch",
        "               fix: send the signed headers"));
    assertThat(check.toJson().encode()).isEqualTo("{\"check\":\"probe PUT\",\"status\":\"FAIL\","
        + "\"detail\":\"403 SignatureDoesNotMatch\",\"row\":\"signature\",\"symptom\":\"403 SignatureDoesNotMatch\","
        + "\"fix\":\"send the signed headers\"}");
  }
}
