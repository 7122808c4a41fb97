package dev.presign.gateway.doctor;

/** The rows of the seed's 403 table (seeds/000_…: "Quick Troubleshooting Map"), as a check names them. */
public enum SeedRow {
  SIGNATURE("403 SignatureDoesNotMatch"),
  POLICY("403 AccessDenied (bucket policy)"),
  CORS("Browser shows CORS error / works with curl, fails in browser"),
  EXPIRY("Randomly fails later (URL expired or clock skew)"),
  ENDPOINT("Upload to CloudFront URL (not the S3 endpoint)");

  /** The row's symptom, as the table says it. */
  public final String symptom;

  SeedRow(String symptom) {
    this.symptom = symptom;
  }
}
