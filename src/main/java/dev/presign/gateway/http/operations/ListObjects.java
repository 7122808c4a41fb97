package dev.presign.gateway.http.operations;

import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.Operation;
import dev.presign.gateway.policy.FileNames;
import dev.presign.gateway.policy.KeyPolicy;
import dev.presign.gateway.policy.PolicyException;
import dev.presign.gateway.s3.S3Api;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code GET /api/s3/objects?prefix=&cursor=&limit=} → {@code {objects:[{key, size, etag, lastModified}], cursor}}:
 * one page of the caller's own objects (S3's ListObjectsV2), under a prefix it owns (its own by default). {@code
 * cursor} is null on the last page, else passed back to get the next. S3 matches the prefix itself, so no page
 * ever holds a key outside it, whatever the cursor.
 */
public final class ListObjects implements Operation {
  /** Objects per page: a default a screen can show, and at most S3's own page. */
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final KeyPolicy policy;
  private final S3Api s3;

  public ListObjects(KeyPolicy policy, S3Api s3) {
    this.policy = policy;
    this.s3 = s3;
  }

  @Override
  public Object answer(Call call) {
    String prefix = prefix(call);
    String cursor = call.param("cursor");
    if (cursor != null && (cursor.isEmpty() || cursor.length() > 1024 || !cursor.chars().allMatch(c -> c > 0x20
        && c < 0x7f))) {
      throw PolicyException.invalid("cursor", "cursor must be the one the previous page answered");
    }
    int limit = limit(call.param("limit"));
    call.audit(prefix, null, null);
    // URL-encoded: listing XML cannot carry every character a key may hold (U+FFFF); the SDK decodes the answer.
    return S3Problems.answer(s3.call("list_objects_v2", c -> c.listObjectsV2(b -> b.bucket(s3.bucket())
            .prefix(prefix).continuationToken(cursor).maxKeys(limit).encodingType(EncodingType.URL))),
            "the bucket does not exist", s3.callTimeout())
        .map(page -> {
          JsonArray objects = new JsonArray();
          for (S3Object o : page.contents()) {
            objects.add(new JsonObject().put("key", o.key()).put("size", o.size()).put("etag", o.eTag())
                .put("lastModified", o.lastModified() == null ? null : o.lastModified().toString()));
          }
          String next = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
          return new JsonObject().put("prefix", prefix).put("objects", objects).put("cursor", next).encode();
        });
  }

  /** The prefix asked for, if it lies under one the caller owns; else the caller's own. */
  private String prefix(Call call) {
    List<String> owned = policy.prefixesOf(call.caller());
    String asked = call.param("prefix");
    if (asked == null || asked.isEmpty()) {
      return owned.get(0);
    }
    if (FileNames.utf8Length(asked) > KeyPolicy.MAX_KEY_BYTES) {
      throw PolicyException.invalid("prefix", "prefix must be at most " + KeyPolicy.MAX_KEY_BYTES + " bytes");
    }
    if (asked.chars().anyMatch(Character::isISOControl)) {
      // No key the gateway makes holds one, and S3 refuses some (NUL) outright.
      throw PolicyException.invalid("prefix", "prefix must not hold control characters");
    }
    for (String p : owned) {
      if (asked.startsWith(p)) {
        return asked;
      }
    }
    throw PolicyException.denied("key-prefix", "prefix is not under any prefix this caller owns");
  }

  private static int limit(String value) {
    if (value == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw PolicyException.invalid("limit", "limit must be a whole number from 1 to " + MAX_LIMIT);
  }
}
