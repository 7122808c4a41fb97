package dev.presign.gateway.doctor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An S3 answer that was not 2xx, read from its XML error document, and the seed row it points to. */
record S3Error(int status, String code, String message) {
  private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
  private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

  /** Null code: the body is not an S3 error document. */
  static S3Error of(int status, String body) {
    Matcher code = CODE.matcher(body == null ? "" : body);
    Matcher message = MESSAGE.matcher(body == null ? "" : body);
    return new S3Error(status, code.find() ? code.group(1) : null, message.find() ? message.group(1) : "");
  }

  SeedRow row() {
    if (code == null) {
      return SeedRow.ENDPOINT;
    }
    return switch (code) {
      case "SignatureDoesNotMatch", "InvalidAccessKeyId" -> SeedRow.SIGNATURE;
      case "RequestTimeTooSkewed", "ExpiredToken" -> SeedRow.EXPIRY;
      case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException" ->
          SeedRow.ENDPOINT;
      case "AccessDenied" -> message.toLowerCase().matches(".*(expired|not yet valid).*") ? SeedRow.EXPIRY
          : SeedRow.POLICY;
      default -> null;
    };
  }

  /** What to do about it: the row's fix, said for a request the doctor signed and sent exactly as the gateway would. */
  String fix() {
    SeedRow row = row();
    if (row == null) {
      return "see S3's message; this answer is not in the seed's table";
    }
    return switch (row) {
      case SIGNATURE -> "the doctor sent exactly the signed headers, so the signing secret does not match the access"
          + " key (check the credentials the default chain resolves), or a proxy rewrote the request";
      case EXPIRY -> "sync the gateway's clock (NTP) and keep PRESIGN_TTL_SECONDS above the time a client takes to"
          + " start its upload";
      case ENDPOINT -> "point S3_ENDPOINT at the bucket's S3 endpoint (or leave it unset for AWS) and set AWS_REGION"
          + " to the bucket's region";
      case POLICY -> "the bucket policy denies the signing role: satisfy its conditions (S3_SSE for required"
          + " encryption, the key prefix) or allow s3:PutObject/GetObject/DeleteObject for the role";
      case CORS -> "add the origin, the method and the headers to the bucket's CORS rules, and expose ETag";
    };
  }

  String describe() {
    return status + (code == null ? " (not an S3 error document)" : " " + code + (message.isEmpty() ? "" : ": " + message));
  }
}
