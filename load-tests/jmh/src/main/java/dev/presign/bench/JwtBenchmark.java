package dev.presign.bench;

import io.vertx.core.Vertx;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Signature and expiry check of one token by vertx-auth-jwt's {@code JWTAuth.authenticate} (what the gateway's
 * TokenVerifier calls), per algorithm. It completes on the calling thread, so {@code result()} is already there.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class JwtBenchmark {
  @Param({"HS256", "RS256", "ES256"})
  public String alg;

  private Vertx vertx;
  private JWTAuth auth;
  private TokenCredentials credentials;

  @Setup
  public void setUp() {
    vertx = Vertx.vertx();
    Keys keys = Keys.generate(alg);
    auth = JWTAuth.create(vertx, new JWTAuthOptions().addJwk(keys.verifyJwk()));
    credentials = new TokenCredentials(keys.token(vertx, "alice"));
    authenticate(); // a token that does not verify would make the figures meaningless
  }

  @TearDown
  public void tearDown() {
    vertx.close().await();
  }

  @Benchmark
  public User authenticate() {
    var user = auth.authenticate(credentials);
    if (!user.succeeded()) {
      throw new IllegalStateException("token refused: " + user.cause(), user.cause());
    }
    return user.result();
  }
}
