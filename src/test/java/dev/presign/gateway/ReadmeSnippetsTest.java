package dev.presign.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** README's Uppy snippets are the code the browser tests run, verbatim: a change to one shows in the other. */
class ReadmeSnippetsTest {
  @ParameterizedTest
  @ValueSource(strings = {"uppy5", "uppy6"})
  void readme_quotes_the_uppy_setup_the_browser_test_runs(String page) throws IOException {
    String html = Files.readString(Path.of("src/test/browser", page, "index.html"));
    int start = html.indexOf('\n', html.indexOf("// README: ")) + 1;
    int end = html.lastIndexOf('\n', html.indexOf("// README end.")) + 1;
    assertThat(start).as("README markers in " + page).isPositive().isLessThan(end);
    String snippet = html.substring(start, end);
    assertThat(snippet).contains("Uppy.AwsS3");
    // Fails on any edit of either side (checked once by changing a quoted line in README).
    assertThat(Files.readString(Path.of("README.md"))).contains("```js\n" + snippet + "```");
  }
}
