package dev.presign.gateway.support;

import dev.presign.gateway.dev.LocalStack;
import dev.presign.gateway.dev.S3ProxyProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

/** One S3Proxy process for the whole test JVM, started on first use on a free port, stopped at exit. */
public final class LocalS3 {
  public static final String BUCKET = "test-bucket";
  public static final String REGION = "us-east-1";
  private static S3ProxyProcess process;

  private LocalS3() {}

  public static synchronized S3ProxyProcess get() {
    if (process == null) {
      Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy.jar"));
      process = S3ProxyProcess.start(jar, freePort(), List.of("http://127.0.0.1:" + freePort()));
      Runtime.getRuntime().addShutdownHook(new Thread(process::close));
      LocalStack.createBucket(process.endpoint(), BUCKET, REGION);
    }
    return process;
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
