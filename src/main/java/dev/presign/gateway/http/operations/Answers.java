package dev.presign.gateway.http.operations;

import dev.presign.gateway.json.Json;
import dev.presign.gateway.logging.Timestamps;
import dev.presign.gateway.signing.PresignedUpload;

/** The JSON of a signed request, written directly (no tree): the same text a JsonObject would encode. */
final class Answers {
  private Answers() {}

  /**
   * {@code {"key":…,"<urlField>":…,"method":…,"headers":{…},"expiresAt":…}}; {@code key} left out when null (a
   * request on a key the client named itself).
   */
  static String signed(PresignedUpload signed, String key, String urlField) {
    return open(signed, key, urlField).append('}').toString();
  }

  /** The same object's members without its closing brace, for an answer that adds members of its own. */
  static StringBuilder open(PresignedUpload signed, String key, String urlField) {
    StringBuilder json = new StringBuilder(signed.url().length() + signed.key().length() + 256);
    json.append('{');
    if (key != null) {
      Json.field(json, "key", key);
    }
    if (signed.urlJsonPlain()) {
      Json.plainField(json, urlField, signed.url()); // the fast signer's URLs need no escaping
    } else {
      Json.field(json, urlField, signed.url());
    }
    Json.field(json, "method", signed.method());
    Json.name(json, "headers").append('{');
    signed.forEachHeader((name, value) -> Json.field(json, name, value));
    json.append("},\"expiresAt\":\"");
    Timestamps.append(json, signed.expiresAt());
    return json.append('"');
  }
}
