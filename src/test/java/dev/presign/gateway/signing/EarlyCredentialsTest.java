package dev.presign.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;

class EarlyCredentialsTest {

  @Test
  void the_chain_is_asked_at_once_and_its_first_answer_is_the_first_resolve() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    EarlyCredentials early = EarlyCredentials.ask(
        () -> () -> AwsBasicCredentials.create("AKID" + asked.incrementAndGet(), "secret"));
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (asked.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(asked.get()).as("asked before anyone resolves").isEqualTo(1);
    assertThat(early.resolveCredentials().accessKeyId()).isEqualTo("AKID1");
    assertThat(early.resolveCredentials().accessKeyId()).as("later resolves ask the chain again").isEqualTo("AKID2");
  }

  @Test
  void a_chain_without_credentials_fails_the_first_resolve_with_its_own_exception() {
    EarlyCredentials early = EarlyCredentials.ask(() -> () -> {
      throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
    });
    assertThatThrownBy(early::resolveCredentials).isInstanceOf(SdkClientException.class)
        .hasMessageContaining("Unable to load credentials");
  }
}
