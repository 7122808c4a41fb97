package dev.presign.gateway.s3;

import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** How an S3 API call ended, from a fixed set: the {@code outcome} label of {@code presign_s3_call_seconds}. */
public enum S3Fault {
  /** It succeeded. */
  OK,
  /** S3 answered 404 (NoSuchKey, NoSuchUpload, NoSuchBucket). */
  NOT_FOUND,
  /** S3 answered another 4xx: the request, or the gateway's credentials and permissions. */
  CLIENT_ERROR,
  /** S3 answered 503 SlowDown (or another throttling code): retried, and still throttled. */
  THROTTLED,
  /** S3 answered a 5xx, retries included. */
  SERVER_ERROR,
  /** No answer within S3_API_TIMEOUT_MS. */
  TIMEOUT,
  /** No connection, or it broke (S3 down, refused, reset). */
  UNREACHABLE,
  /** Anything else: a defect, logged by whoever answers. */
  ERROR;

  private final String label = name().toLowerCase(Locale.ROOT);

  public String label() {
    return label;
  }

  /** The fault {@code failure} stands for; null is {@link #OK}. */
  public static S3Fault of(Throwable failure) {
    Throwable e = unwrap(failure);
    if (e == null) {
      return OK;
    }
    if (e instanceof AwsServiceException s) {
      int status = s.statusCode();
      if (status == 404) {
        return NOT_FOUND;
      }
      if (s.isThrottlingException() || status == 503 || status == 429) {
        return THROTTLED;
      }
      return status >= 500 ? SERVER_ERROR : CLIENT_ERROR;
    }
    if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      return TIMEOUT;
    }
    if (e instanceof SdkClientException) {
      // The SDK wraps I/O failures; a timeout of the pool or of a read comes as one too.
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        if (c instanceof java.util.concurrent.TimeoutException || c instanceof ApiCallTimeoutException
            || c instanceof ApiCallAttemptTimeoutException
            || c.getClass().getSimpleName().contains("Timeout")) {
          return TIMEOUT;
        }
      }
      return UNREACHABLE;
    }
    return ERROR;
  }

  /** S3's error code of a service answer ("NoSuchKey", "SlowDown"), or null. */
  public static String errorCode(Throwable failure) {
    Throwable e = unwrap(failure);
    return e instanceof AwsServiceException s && s.awsErrorDetails() != null ? s.awsErrorDetails().errorCode() : null;
  }

  /** The SDK's own exception under the future's wrappers. */
  static Throwable unwrap(Throwable failure) {
    Throwable e = failure;
    while ((e instanceof CompletionException || e instanceof ExecutionException
        || e instanceof S3Api.S3CallException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
