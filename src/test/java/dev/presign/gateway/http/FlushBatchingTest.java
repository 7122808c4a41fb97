package dev.presign.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ApiVerticle.batchFlushes on a real Vert.x server: HTTP/1 connections get the flush batching (a Vert.x upgrade
 * that renamed its pipeline handler would otherwise drop it silently), every answer still leaves, and HTTP/2
 * connections are left as they are.
 */
class FlushBatchingTest {
  private Vertx vertx;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().connectionHandler(ApiVerticle::batchFlushes).requestHandler(request -> {
      boolean batched = request.connection() instanceof ConnectionBase c
          && c.channelHandlerContext().pipeline().get(FlushConsolidationHandler.class) != null;
      request.response().end((request.connection() instanceof Http1xServerConnection ? "http1 " : "other ")
          + batched + " " + request.path());
    });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void http1_connections_batch_their_flushes_and_every_answer_arrives() throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultPort(server.actualPort()),
        new PoolOptions().setHttp1MaxSize(8));
    List<Future<String>> answers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String path = "/r" + i;
      answers.add(client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", path)
          .compose(r -> r.send().compose(response -> response.body()))
          .map(Object::toString));
    }
    for (int i = 0; i < answers.size(); i++) {
      assertThat(answers.get(i).await(10, TimeUnit.SECONDS)).isEqualTo("http1 true /r" + i);
    }
  }

  @Test
  void http2_connections_are_left_as_they_are() throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    String answer = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/h2")
        .compose(r -> r.send().compose(response -> response.body())).map(Object::toString)
        .await(10, TimeUnit.SECONDS);
    assertThat(answer).isEqualTo("other false /h2");
  }
}
