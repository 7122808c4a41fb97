package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.json.Json;
import dev.presign.gateway.metrics.GatewayMetrics;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.policy.UploadPlan;
import dev.presign.gateway.policy.UploadRequest;
import dev.presign.gateway.s3.S3Api;
import dev.presign.gateway.signing.UrlSigner;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * Uppy Companion's S3 protocol, the one {@code @uppy/aws-s3} 5.x (and 4.x) speaks to its {@code endpoint}, answered
 * with this gateway's operations and policy: the server makes the key, every call after create names a key under
 * the caller's prefixes and an upload S3 knows for it, and completion lists the parts itself and caps their total.
 * The paths, under {@link #BASE}:
 * <pre>
 * GET    s3/params?filename=&amp;type=&amp;metadata[size]=     → {url, method:"PUT", headers, key, expiresAt, fields:{key}}
 * POST   s3/multipart {filename, type, metadata}           → {key, uploadId}
 * GET    s3/multipart/{uploadId}?key=                      → [{PartNumber, ETag, Size}]
 * GET    s3/multipart/{uploadId}/{partNumber}?key=         → {url, method:"PUT", headers, expiresAt}
 * GET    s3/multipart/{uploadId}/batch?key=&amp;partNumbers=1,2 → {presignedUrls:{"1":url, "2":url}}
 * POST   s3/multipart/{uploadId}/complete?key= {parts:[{PartNumber, ETag}]} → {location, key, etag, size}
 * DELETE s3/multipart/{uploadId}?key=                      → {}
 * </pre>
 * Uppy sends no file size: a declared size comes from the file's metadata ({@code size}) when the app puts it there,
 * and completion, which Uppy calls with the parts alone, caps the total at {@code MAX_UPLOAD_BYTES}. Signed URLs
 * carry no {@code expires} member: Uppy would make it the upload's XHR timeout, and a signature only needs to be
 * valid when the upload starts.
 */
public final class Companion {
  /** Uppy's {@code endpoint} is this path on the gateway's origin; Uppy appends {@code /s3/...}. */
  public static final String BASE = "/api/companion";

  private final KeyPolicy policy;
  private final UrlSigner signer;
  private final S3Api s3;
  private final PresignPut put;
  private final MultipartCreate create;
  private final long maxBytes;

  public Companion(KeyPolicy policy, UrlSigner signer, S3Api s3, GatewayMetrics metrics, MultipartCreate create,
                   long maxBytes) {
    this.policy = policy;
    this.signer = signer;
    this.s3 = s3;
    this.put = new PresignPut(policy, signer, metrics);
    this.create = create;
    this.maxBytes = maxBytes;
  }

  /** The path's place in the protocol: which resource, and the upload id and part number it names. */
  public enum Resource { PARAMS, MULTIPART, UPLOAD, PART, BATCH, COMPLETE }

  /** A path of the protocol, taken apart; the upload id is percent-decoded (Uppy encodes it). */
  public record Path(Resource resource, String uploadId, String partNumber) {
    /** The path under {@code BASE + "/s3/"}, or null when the path is none of the protocol's. */
    public static Path parse(String path) {
      String prefix = BASE + "/s3/";
      if (path == null || !path.startsWith(prefix)) {
        return null;
      }
      String[] s = path.substring(prefix.length()).split("/", -1);
      if (s.length == 1) {
        return switch (s[0]) {
          case "params" -> new Path(Resource.PARAMS, null, null);
          case "multipart" -> new Path(Resource.MULTIPART, null, null);
          default -> null;
        };
      }
      if (!s[0].equals("multipart") || s.length > 3 || s[1].isEmpty()) {
        return null;
      }
      if (s.length == 2) {
        return new Path(Resource.UPLOAD, s[1], null);
      }
      return switch (s[2]) {
        case "batch" -> new Path(Resource.BATCH, s[1], null);
        case "complete" -> new Path(Resource.COMPLETE, s[1], null);
        default -> s[2].isEmpty() ? null : new Path(Resource.PART, s[1], s[2]);
      };
    }

    /** The upload id the path names, decoded and checked for shape (a 400 otherwise). */
    String checkedUploadId() {
      String decoded;
      try {
        // '+' is itself in a path segment (URLDecoder would make it a space); Uppy sends it as %2B anyway.
        decoded = URLDecoder.decode(uploadId.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw PolicyException.invalid("uploadId", "the upload id in the path is not validly percent-encoded");
      }
      return KeyPolicy.checkUploadId(decoded);
    }
  }

  /** {@code GET s3/params}: a presigned PUT for a key the gateway makes, as {@code POST /api/s3/presign} signs it. */
  public Operation params() {
    return call -> {
      String type = call.param("type");
      UploadRequest upload = new UploadRequest(call.param("filename"), type == null || type.isEmpty() ? null : type,
          size(call.param("metadata[size]")), null, null);
      call.audit(null, upload.size(), upload.contentType());
      UploadPlan plan = put.plan(call, upload);
      call.audit(plan.key(), upload.size(), upload.contentType());
      StringBuilder json = Answers.open(put.presign(plan), plan.key(), "url");
      // Uppy reads the key of a single upload from fields.key (fields are otherwise a POST form's; a PUT ignores them).
      Json.name(json, "fields").append('{');
      return Json.field(json, "key", plan.key()).append("}}").toString();
    };
  }

  /** {@code POST s3/multipart}: S3's CreateMultipartUpload for a key the gateway makes. */
  public Operation create() {
    return call -> {
      JsonObject body = CompanionBody.object(call.body());
      String filename = CompanionBody.string(body, "filename");
      if (filename == null || filename.isBlank()) {
        throw PolicyException.invalid("filename", "filename is required");
      }
      String type = CompanionBody.string(body, "type");
      Object metadata = body.getValue("metadata");
      Long size = metadata instanceof JsonObject m ? size(m.getValue("size")) : null;
      UploadPlan plan = policy.plan(call.caller(), new UploadRequest(filename, type == null || type.isEmpty() ? null
          : type, size, null, null));
      return create.start(call, plan).map(uploadId -> new JsonObject().put("key", plan.key())
          .put("uploadId", uploadId).encode());
    };
  }

  /** {@code GET s3/multipart/{uploadId}?key=}: the parts S3 holds (Uppy asks when it resumes). */
  public Operation listParts() {
    return call -> {
      Upload u = upload(call);
      return MultipartCalls.listParts(s3, u.key, u.uploadId).map(parts -> {
        JsonArray list = new JsonArray();
        for (Part p : parts) {
          list.add(new JsonObject().put("PartNumber", p.partNumber()).put("ETag", p.eTag()).put("Size", p.size()));
        }
        return list.encode();
      });
    };
  }

  /** {@code GET s3/multipart/{uploadId}/{partNumber}?key=}: one part's UploadPart URL. */
  public Operation signPart() {
    return call -> {
      Upload u = upload(call);
      int part = partNumber(u.path.partNumber());
      return MultipartCalls.exists(s3, u.key, u.uploadId).map(v -> Answers.signed(
          signer.presignUploadPart(u.key, u.uploadId, part, UrlSigner.CONFIGURED_TTL), null, "url"));
    };
  }

  /** {@code GET s3/multipart/{uploadId}/batch?key=&partNumbers=1,2}: several parts' URLs in one call. */
  public Operation signBatch() {
    return call -> {
      Upload u = upload(call);
      Set<Integer> parts = partNumbers(call.param("partNumbers"));
      return MultipartCalls.exists(s3, u.key, u.uploadId).map(v -> {
        StringBuilder json = new StringBuilder(parts.size() * 700).append("{\"presignedUrls\":{");
        String sep = "";
        for (int part : parts) {
          json.append(sep).append('"').append(part).append("\":");
          sep = ",";
          Json.string(json,
              signer.presignUploadPart(u.key, u.uploadId, part, UrlSigner.CONFIGURED_TTL).url());
        }
        return json.append("}}").toString();
      });
    };
  }

  /**
   * {@code POST s3/multipart/{uploadId}/complete?key=} {@code {parts}}: completes with the parts Uppy names, each
   * checked against S3's own listing (uploaded, same ETag), their total capped at {@code MAX_UPLOAD_BYTES}; above
   * it the upload is aborted.
   */
  public Operation complete() {
    return call -> {
      Upload u = upload(call);
      Map<Integer, String> named = CompanionBody.parts(call.body());
      return MultipartCalls.listParts(s3, u.key, u.uploadId).compose(listed -> {
        List<Part> chosen = new ArrayList<>(named.size());
        for (Part p : listed) {
          String etag = named.get(p.partNumber());
          if (etag != null) {
            if (!unquoted(etag).equals(unquoted(p.eTag()))) {
              return Future.failedFuture(PolicyException.invalid("parts", "part " + p.partNumber()
                  + "'s ETag is not the one S3 holds: upload the part again, then complete"));
            }
            chosen.add(p);
          }
        }
        if (chosen.size() != named.size()) {
          return Future.failedFuture(PolicyException.invalid("parts", "parts names " + (named.size() - chosen.size())
              + " part(s) S3 does not hold for this upload: upload them, then complete"));
        }
        return MultipartComplete.completeWithin(s3, call, u.key, u.uploadId, chosen, maxBytes,
            "the maximum of " + maxBytes + " bytes (MAX_UPLOAD_BYTES)");
      }).map(done -> new JsonObject().put("location", done.location()).put("key", u.key).put("etag", done.eTag())
          .put("size", done.size()).encode());
    };
  }

  /** {@code DELETE s3/multipart/{uploadId}?key=}: aborts the upload; {@code {}} (Uppy parses every answer). */
  public Operation abort() {
    return call -> {
      Upload u = upload(call);
      return MultipartCalls.abortExisting(s3, u.key, u.uploadId).map(v -> "{}");
    };
  }

  /** The upload a call names, and its path taken apart (once per call). */
  private record Upload(String key, String uploadId, Path path) {}

  /** The upload a call names: the key under the caller's prefixes, the id from the path well formed; audited. */
  private Upload upload(Call call) {
    String key = call.param("key");
    if (key == null) {
      throw PolicyException.invalid("key", "the key query parameter is required: the key the create call answered");
    }
    String checkedKey = policy.writableKey(call.caller(), key);
    call.audit(checkedKey, null, null);
    Path path = Path.parse(call.path());
    return new Upload(checkedKey, path.checkedUploadId(), path);
  }

  private static String unquoted(String etag) {
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1)
        : etag;
  }

  /** A declared size from metadata (Uppy sends every value as a string), or null when there is none. */
  static Long size(Object value) {
    if (value == null || (value instanceof String s && s.isEmpty())) {
      return null;
    }
    if (value instanceof Number n && (n instanceof Integer || n instanceof Long)) {
      return n.longValue();
    }
    if (value instanceof String s && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Long.parseLong(s);
    }
    throw PolicyException.invalid("size", "metadata size must be a whole number of bytes");
  }

  static int partNumber(String text) {
    if (text == null || text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw PolicyException.invalid("partNumber", "partNumber must be a whole number from 1 to 10000");
    }
    return KeyPolicy.checkPartNumber(Long.parseLong(text));
  }

  /** {@code 1,2,5}: distinct part numbers in the order given, at most a sign call's worth. */
  static Set<Integer> partNumbers(String list) {
    if (list == null || list.isEmpty()) {
      throw PolicyException.invalid("partNumbers", "partNumbers is required: part numbers separated by commas");
    }
    String[] items = list.split(",", -1);
    if (items.length > MultipartSignParts.MAX_PARTS_PER_CALL) {
      throw PolicyException.invalid("partNumbers", "partNumbers must be at most "
          + MultipartSignParts.MAX_PARTS_PER_CALL + " part numbers, each 1 to 10000");
    }
    Set<Integer> parts = new LinkedHashSet<>();
    for (String item : items) {
      parts.add(partNumber(item.strip()));
    }
    return parts;
  }
}
