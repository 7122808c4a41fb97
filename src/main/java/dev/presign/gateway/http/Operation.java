package dev.presign.gateway.http;

/**
 * What one API endpoint does once the pipeline has read the body, verified the token and charged the rate limit:
 * decode the request, decide with the policy, sign (or call S3), and give the answer. Tested without HTTP
 * through a {@link Call} of the test's own.
 */
@FunctionalInterface
public interface Operation {
  /**
   * The JSON text of the 200 answer, or a {@code Future<String>} of it when S3 must be asked first. A refusal is
   * thrown (or fails the future): {@code PolicyException}, {@code ProblemException}, an unavailable-credentials
   * exception; the pipeline turns it into a problem answer.
   */
  Object answer(Call call);
}
