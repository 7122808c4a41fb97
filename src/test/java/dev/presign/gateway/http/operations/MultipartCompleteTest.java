package dev.presign.gateway.http.operations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.policy.PolicyException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3 refusing a completion's parts is the client's to fix: a 400 naming the parts, not a 502 that sends the
 * operator to the gateway's permissions. EntityTooSmall is proven against S3Proxy (UploadLifecycleS3IT,
 * CompanionS3IT); InvalidPart needs a part re-uploaded between the gateway's listing and the completion, a race no
 * test can time, so the SDK's own exception is given here as S3 would raise it.
 */
class MultipartCompleteTest {
  static Throwable refused(String code) {
    S3Exception s3 = (S3Exception) S3Exception.builder().statusCode(400)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("refused").build()).build();
    return MultipartComplete.partsRefused(new CompletionException(s3)).cause();
  }

  @Test
  void a_part_that_changed_while_completing_is_a_400_naming_the_parts() {
    assertThat(refused("InvalidPart")).isInstanceOfSatisfying(PolicyException.class, e -> {
      assertThat(e.field()).isEqualTo("parts");
      assertThat(e.getMessage()).contains("InvalidPart").contains("list the parts again");
    });
  }

  @Test
  void a_part_under_the_minimum_is_a_400_naming_the_parts() {
    assertThat(refused("EntityTooSmall")).isInstanceOfSatisfying(PolicyException.class,
        e -> assertThat(e.field()).isEqualTo("parts"));
  }

  @Test
  void any_other_refusal_is_left_to_the_s3_fault_mapping() {
    assertThat(refused("AccessDenied")).isInstanceOf(CompletionException.class);
  }
}
