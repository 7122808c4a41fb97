package dev.presign.gateway.dev;

import dev.presign.gateway.signing.SignedHeader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * S3Proxy, a real S3 API server that checks SigV4 signatures, run as a separate process on 127.0.0.1 for the
 * local stack and the tests. In memory ({@code transient}) unless told otherwise.
 */
public final class S3ProxyProcess implements AutoCloseable {
  public static final String IDENTITY = "local-identity";
  public static final String CREDENTIAL = "local-credential-not-a-secret";
  /**
   * Every S3 request a browser makes for an upload: PUT (object, part), and, since Uppy 6's {@code signRequest}
   * calls S3 itself for them, POST (create, complete), GET (list parts) and DELETE (abort).
   */
  static final String CORS_METHODS = "GET PUT POST DELETE HEAD";
  /** Every header name the gateway's {@code headers} can list (SignedHeader), for clients that send them all. */
  static final String CORS_HEADERS = Arrays.stream(SignedHeader.values()).map(h -> h.clientName)
      .collect(Collectors.joining(" "));

  private final Process process;
  private final String host;
  private final int port;
  private final LogTail log;

  private S3ProxyProcess(Process process, String host, int port, LogTail log) {
    this.process = process;
    this.host = host;
    this.port = port;
    this.log = log;
  }

  /** Starts S3Proxy from {@code jar} on 127.0.0.1:{@code port}; waits until the port accepts connections. */
  public static S3ProxyProcess start(Path jar, int port, List<String> corsOrigins) {
    return start(jar, "127.0.0.1", port, corsOrigins);
  }

  /**
   * Starts S3Proxy listening on {@code host}:{@code port} only (its endpoint); waits until it accepts connections.
   * Nothing is written to disk: the properties (with the credential) reach it on its standard input, and its log
   * stays in memory (the last lines, for the error message if it fails to start).
   */
  public static S3ProxyProcess start(Path jar, String host, int port, List<String> corsOrigins) {
    return start(jar, host, port, corsOrigins, "ETag");
  }

  /** As above, exposing {@code exposedHeaders} (space-separated) to browsers instead of ETag: a broken bucket CORS. */
  public static S3ProxyProcess start(Path jar, String host, int port, List<String> corsOrigins,
                                     String exposedHeaders) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("S3Proxy jar not found at " + jar.toAbsolutePath()
          + "; run 'mvn -DskipTests package' first (it copies s3proxy.jar into target/)");
    }
    String properties = String.join("\n",
        "s3proxy.endpoint=http://" + host + ":" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + IDENTITY,
        "s3proxy.credential=" + CREDENTIAL,
        "jclouds.provider=transient",
        "jclouds.identity=unused",
        "jclouds.credential=unused",
        "s3proxy.cors-allow-origins=" + String.join(" ", corsOrigins),
        "s3proxy.cors-allow-methods=" + CORS_METHODS,
        "s3proxy.cors-allow-headers=" + CORS_HEADERS,
        "s3proxy.cors-exposed-headers=" + exposedHeaders,
        "");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try {
      // S3Proxy reads its --properties file with Files.newInputStream: /dev/stdin is the pipe written below.
      Process process = new ProcessBuilder(java, "-Xmx256m", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
          "-jar", jar.toAbsolutePath().toString(), "--properties", "/dev/stdin")
          .redirectErrorStream(true)
          .start();
      try (OutputStream in = process.getOutputStream()) {
        in.write(properties.getBytes(StandardCharsets.UTF_8));
      }
      S3ProxyProcess proxy = new S3ProxyProcess(process, host, port, LogTail.follow(process.getInputStream()));
      proxy.awaitPort(Duration.ofSeconds(60));
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitPort(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + "; its log ends:\n" + log);
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
    close();
    throw new IllegalStateException("S3Proxy did not open port " + port + " within " + timeout + "; its log ends:\n"
        + log);
  }

  public String endpoint() {
    return "http://" + host + ":" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
