package dev.presign.gateway.http.operations;

import dev.presign.gateway.s3.S3Api;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import dev.presign.gateway.http.ProblemException;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;

/** The S3 calls several multipart operations share: listing an upload's parts, and aborting it. */
final class MultipartCalls {
  static final String NO_UPLOAD = "no multipart upload with this uploadId for this key (completed, aborted, or never"
      + " created)";
  /** ListParts pages: S3 gives at most 1,000 parts a page, and an upload has at most 10,000. */
  private static final int MAX_PAGES = 10;

  private MultipartCalls() {}

  /** Every part S3 holds for the upload, in part-number order; a 404 problem when there is no such upload. */
  static Future<List<Part>> listParts(S3Api s3, String key, String uploadId) {
    return exists(s3, key, uploadId).compose(v -> page(s3, key, uploadId, null, new ArrayList<>(), 0));
  }

  private static Future<List<Part>> page(S3Api s3, String key, String uploadId, Integer marker, List<Part> parts,
                                         int pages) {
    Future<ListPartsResponse> page = s3.call("list_parts", c -> c.listParts(b -> b.bucket(s3.bucket()).key(key)
        .uploadId(uploadId).partNumberMarker(marker)));
    return S3Problems.answer(page, NO_UPLOAD, s3.callTimeout()).compose(r -> {
      parts.addAll(r.parts());
      if (Boolean.TRUE.equals(r.isTruncated()) && r.nextPartNumberMarker() != null && pages + 1 < MAX_PAGES) {
        return page(s3, key, uploadId, r.nextPartNumberMarker(), parts, pages + 1);
      }
      return Future.succeededFuture(parts);
    });
  }

  /**
   * Succeeds when S3 lists {@code uploadId} among the uploads in progress for exactly {@code key}; a 404 problem
   * otherwise. Asked of ListMultipartUploads, not ListParts: S3-compatible stores (S3Proxy among them) answer an
   * empty ListParts for an upload id they never made.
   */
  static Future<Void> exists(S3Api s3, String key, String uploadId) {
    return uploads(s3, key, uploadId, null, null, 0);
  }

  private static Future<Void> uploads(S3Api s3, String key, String uploadId, String keyMarker, String idMarker,
                                      int pages) {
    // URL-encoded: S3 echoes the prefix and keys in XML, which cannot carry U+FFFF or a control character; the SDK
    // decodes the answer.
    Future<ListMultipartUploadsResponse> page = s3.call("list_multipart_uploads", c -> c.listMultipartUploads(b -> b
        .bucket(s3.bucket()).prefix(key).keyMarker(keyMarker).uploadIdMarker(idMarker).encodingType(EncodingType.URL)));
    return S3Problems.answer(page, NO_UPLOAD, s3.callTimeout()).compose(r -> {
      for (MultipartUpload u : r.uploads()) {
        if (key.equals(u.key()) && uploadId.equals(u.uploadId())) {
          return Future.succeededFuture();
        }
      }
      if (Boolean.TRUE.equals(r.isTruncated()) && pages + 1 < MAX_PAGES) {
        return uploads(s3, key, uploadId, r.nextKeyMarker(), r.nextUploadIdMarker(), pages + 1);
      }
      return Future.failedFuture(new ProblemException(404, "Not Found", NO_UPLOAD));
    });
  }

  /** Aborts the upload when S3 lists it for exactly {@code key} (a 404 problem otherwise). */
  static Future<Void> abortExisting(S3Api s3, String key, String uploadId) {
    return exists(s3, key, uploadId).compose(v -> abort(s3, key, uploadId));
  }

  /** Aborts an upload known to exist (checked by the caller, or just listed). */
  static Future<Void> abort(S3Api s3, String key, String uploadId) {
    return S3Problems.answer(s3.call("abort_multipart_upload", c -> c.abortMultipartUpload(b -> b
        .bucket(s3.bucket()).key(key).uploadId(uploadId))), NO_UPLOAD, s3.callTimeout()).mapEmpty();
  }
}
