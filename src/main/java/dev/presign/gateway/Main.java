package dev.presign.gateway;

import dev.presign.gateway.config.ConfigException;
import dev.presign.gateway.config.GatewayConfig;
import dev.presign.gateway.dev.LocalStack;
import dev.presign.gateway.doctor.DoctorCommand;
import dev.presign.gateway.logging.JsonLayout;
import dev.presign.gateway.metrics.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import dev.presign.gateway.signing.EarlyCredentials;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * {@code java -jar presign-gateway.jar} runs the gateway from env; {@code ... local} runs the local stack;
 * {@code ... train} is the image build's AOT training run ({@link Training}).
 * {@code ... doctor [--json] [--local]} checks a setup and exits.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("train")) {
      Training.run(); // the image build's AOT training run (Dockerfile); exits
      return;
    }
    if (args.length > 0 && args[0].equals("doctor")) {
      // The report is the output: the server's log lines (on stdout) would only get in its way.
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
          .setLevel(ch.qos.logback.classic.Level.OFF);
      System.exit(DoctorCommand.run(List.of(args).subList(1, args.length), System.getenv(), System.out));
    }
    if (args.length > 0 && args[0].equals("local")) {
      LocalStack stack = LocalStack.start(System.getenv());
      Gateway gateway = run(stack.env());
      stack.printSession(gateway.apiPort(), gateway.managementPort());
      return;
    }
    // Logging first: the SDK logs through SLF4J, and a logger asked for while logback is still starting up on
    // another thread makes SLF4J print a plain-text notice on stdout. Then the AWS chain is built and asked on a
    // thread of its own while the configuration, metrics, Vert.x and the management port start (EarlyCredentials).
    LoggerFactory.getILoggerFactory();
    AwsCredentialsProvider chain = EarlyCredentials.askDefaultChain();
    run(System.getenv(), chain);
  }

  /** Validates config, starts the gateway with the AWS default chain, and exits the process if either fails. */
  public static Gateway run(Map<String, String> env) {
    return run(env, EarlyCredentials.askDefaultChain());
  }

  private static Gateway run(Map<String, String> env, AwsCredentialsProvider chain) {
    Logger log = LoggerFactory.getLogger(Main.class);
    GatewayConfig config;
    try {
      config = GatewayConfig.fromEnv(env);
    } catch (ConfigException e) {
      System.err.println("presign-gateway: " + e.getMessage());
      System.exit(2);
      return null;
    }
    JsonLayout.useJson(config.http().jsonLogs());
    PrometheusMeterRegistry registry = GatewayMetrics.newRegistry();
    Vertx vertx = Gateway.newVertx(new VertxOptions(), registry);
    try {
      Gateway gateway = new Gateway(vertx, registry, config, Clock.systemUTC(), chain).start().await();
      // Vert.x installs no SIGTERM hook: this one drains, then stops with a bounded wait for in-flight requests.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        gateway.shutdown().await();
        vertx.close().await();
        log.info("presign-gateway stopped");
        JsonLayout.flushAndStop();
      }, "shutdown"));
      log.info("presign-gateway listening on :{} (management :{}, {} transport){}", gateway.apiPort(),
          gateway.managementPort(), vertx.isNativeTransportEnabled() ? "native epoll" : "NIO",
          config.devMode() ? " in DEV MODE" : "");
      return gateway;
    } catch (Exception e) {
      log.error("presign-gateway failed to start: {}", e.getMessage());
      JsonLayout.flushAndStop();
      vertx.close();
      System.exit(1);
      return null;
    }
  }
}
