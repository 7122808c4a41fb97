package dev.presign.gateway.signing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.dev.S3ProxyProcess;
import dev.presign.gateway.support.LocalS3;
import dev.presign.gateway.support.TestGateway;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A whole multipart upload and download against S3Proxy, a real S3 server that checks SigV4, with nothing but
 * UrlSigner's URLs and the JDK's HTTP client: create, two parts, list, complete, read back (with and without a
 * Content-Disposition), abort another upload, delete. Once per engine, with the bucket's SSE (AES256) signed at
 * create time, and a key that needs encoding.
 */
class MultipartS3IT {
  private static final long TTL = UrlSigner.CONFIGURED_TTL;
  private static final Pattern UPLOAD_ID = Pattern.compile("<UploadId>([^<]+)</UploadId>");
  private static final Pattern PART_NUMBER = Pattern.compile("<PartNumber>(\\d+)</PartNumber>");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  static S3ProxyProcess s3;

  @BeforeAll
  static void start() {
    s3 = LocalS3.get();
  }

  private static UrlSigner signer(boolean fast) {
    GatewayConfig.S3 config = new GatewayConfig.S3(LocalS3.BUCKET, LocalS3.REGION, URI.create(s3.endpoint()), true,
        Duration.ofMinutes(5), fast, "AES256", null);
    return new UrlSigner(config, Duration.ofMinutes(5), TestGateway.S3PROXY_CREDENTIALS, Clock.systemUTC());
  }

  @ParameterizedTest(name = "fast engine: {0}")
  @ValueSource(booleans = {true, false})
  void a_multipart_upload_completes_reads_back_and_is_deleted_with_presigned_urls_only(boolean fast) {
    try (UrlSigner signer = signer(fast)) {
      String key = "multipart/" + UUID.randomUUID() + "/Ünïcode file name+1 (v2)~.bin";
      byte[] first = new byte[5 * 1024 * 1024];
      new Random(1).nextBytes(first);
      byte[] second = "the last, short part".getBytes(StandardCharsets.UTF_8);

      PresignedUpload create = signer.presignCreateMultipartUpload(key, "application/octet-stream", TTL);
      assertThat(create.headers()).containsEntry("Content-Type", "application/octet-stream")
          .containsEntry("x-amz-server-side-encryption", "AES256");
      HttpResponse<byte[]> created = send(create, HttpRequest.BodyPublishers.noBody());
      assertThat(created.statusCode()).as(text(created)).isEqualTo(200);
      String uploadId = match(UPLOAD_ID, text(created));

      // The part number and upload id are signed: a part URL used for another part is refused.
      PresignedUpload partTwo = signer.presignUploadPart(key, uploadId, 2, TTL);
      HttpResponse<byte[]> forged = send(new PresignedUpload("PUT", key, partTwo.url().replace("partNumber=2&",
          "partNumber=3&"), new String[SignedHeader.COUNT], partTwo.expiresAt()),
          HttpRequest.BodyPublishers.ofByteArray(second));
      assertThat(forged.statusCode()).as(text(forged)).isEqualTo(403);
      assertThat(text(forged)).contains("SignatureDoesNotMatch");

      List<String> etags = new ArrayList<>();
      byte[][] parts = {first, second};
      for (int i = 0; i < parts.length; i++) {
        PresignedUpload part = signer.presignUploadPart(key, uploadId, i + 1, TTL);
        assertThat(part.headers()).isEmpty();
        HttpResponse<byte[]> put = send(part, HttpRequest.BodyPublishers.ofByteArray(parts[i]));
        assertThat(put.statusCode()).as(text(put)).isEqualTo(200);
        etags.add(put.headers().firstValue("ETag").orElseThrow());
      }

      HttpResponse<byte[]> listed = send(signer.presignListParts(key, uploadId, TTL), null);
      assertThat(listed.statusCode()).as(text(listed)).isEqualTo(200);
      assertThat(PART_NUMBER.matcher(text(listed)).results().map(m -> m.group(1))).containsExactly("1", "2");

      StringBuilder xml = new StringBuilder("<CompleteMultipartUpload>");
      for (int i = 0; i < etags.size(); i++) {
        xml.append("<Part><PartNumber>").append(i + 1).append("</PartNumber><ETag>").append(etags.get(i))
            .append("</ETag></Part>");
      }
      xml.append("</CompleteMultipartUpload>");
      HttpResponse<byte[]> completed = send(signer.presignCompleteMultipartUpload(key, uploadId, TTL),
          HttpRequest.BodyPublishers.ofString(xml.toString()));
      // S3 can answer 200 with an error in the body: the result element says it completed.
      assertThat(completed.statusCode()).as(text(completed)).isEqualTo(200);
      assertThat(text(completed)).contains("<CompleteMultipartUploadResult");

      HttpResponse<byte[]> read = send(signer.presignGet(key, null, TTL), null);
      assertThat(read.statusCode()).isEqualTo(200);
      ByteArrayOutputStream whole = new ByteArrayOutputStream();
      whole.writeBytes(first);
      whole.writeBytes(second);
      assertThat(read.body()).isEqualTo(whole.toByteArray());

      String disposition = "attachment; filename=\"file (v2).bin\"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20file.bin";
      HttpResponse<byte[]> download = send(signer.presignGet(key, disposition, TTL), null);
      assertThat(download.statusCode()).as(text(download)).isEqualTo(200);
      assertThat(download.headers().firstValue("Content-Disposition")).contains(disposition);

      HttpResponse<byte[]> deleted = send(signer.presignDeleteObject(key, TTL), null);
      assertThat(deleted.statusCode()).as(text(deleted)).isEqualTo(204);
      HttpResponse<byte[]> gone = send(signer.presignGet(key, null, TTL), null);
      assertThat(gone.statusCode()).isEqualTo(404);
      assertThat(text(gone)).contains("NoSuchKey");
    }
  }

  @ParameterizedTest(name = "fast engine: {0}")
  @ValueSource(booleans = {true, false})
  void an_aborted_upload_is_gone(boolean fast) {
    try (UrlSigner signer = signer(fast)) {
      String key = "multipart/" + UUID.randomUUID() + "/aborted.bin";
      HttpResponse<byte[]> created = send(signer.presignCreateMultipartUpload(key, null, TTL),
          HttpRequest.BodyPublishers.noBody());
      assertThat(created.statusCode()).as(text(created)).isEqualTo(200);
      String uploadId = match(UPLOAD_ID, text(created));
      HttpResponse<byte[]> part = send(signer.presignUploadPart(key, uploadId, 1, TTL),
          HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3}));
      assertThat(part.statusCode()).as(text(part)).isEqualTo(200);

      HttpResponse<byte[]> before = send(signer.presignListParts(key, uploadId, TTL), null);
      assertThat(PART_NUMBER.matcher(text(before)).results().map(m -> m.group(1))).containsExactly("1");

      HttpResponse<byte[]> aborted = send(signer.presignAbortMultipartUpload(key, uploadId, TTL), null);
      assertThat(aborted.statusCode()).as(text(aborted)).isEqualTo(204);
      // S3 answers this ListParts with 404 NoSuchUpload; S3Proxy 4.1.0 lists any upload id, known or not, and
      // answers 200 with no parts. The upload is gone for both: completing or aborting it again is NoSuchUpload.
      HttpResponse<byte[]> listed = send(signer.presignListParts(key, uploadId, TTL), null);
      assertThat(listed.statusCode()).as(text(listed)).isEqualTo(200);
      assertThat(PART_NUMBER.matcher(text(listed)).results()).isEmpty();
      HttpResponse<byte[]> completed = send(signer.presignCompleteMultipartUpload(key, uploadId, TTL),
          HttpRequest.BodyPublishers.ofString("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"
              + part.headers().firstValue("ETag").orElseThrow() + "</ETag></Part></CompleteMultipartUpload>"));
      assertThat(completed.statusCode()).as(text(completed)).isEqualTo(404);
      assertThat(text(completed)).contains("<Code>NoSuchUpload</Code>");
      HttpResponse<byte[]> again = send(signer.presignAbortMultipartUpload(key, uploadId, TTL), null);
      assertThat(again.statusCode()).as(text(again)).isEqualTo(404);
      assertThat(text(again)).contains("<Code>NoSuchUpload</Code>");
    }
  }

  /** Sends the presigned request as a client would: its method, URL and exactly its headers. */
  private static HttpResponse<byte[]> send(PresignedUpload presigned, HttpRequest.BodyPublisher body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(presigned.url())).timeout(Duration.ofSeconds(30))
        .method(presigned.method(), body == null ? HttpRequest.BodyPublishers.noBody() : body);
    presigned.forEachHeader(request::header);
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private static String match(Pattern pattern, String body) {
    Matcher m = pattern.matcher(body);
    assertThat(m.find()).as(body).isTrue();
    return m.group(1);
  }
}
