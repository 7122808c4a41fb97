package dev.presign.bench;

import dev.presign.gateway.auth.Caller;
import dev.presign.gateway.http.Call;
import dev.presign.gateway.http.ProblemException;
import io.vertx.core.buffer.Buffer;

/**
 * The pipeline's side of an operation, minus HTTP: the caller and body it hands over and the audit fields it keeps
 * (stored, as the pipeline's exchange stores them; the audit line itself is written after the answer, by the
 * pipeline, and is not part of the operation). The rate limit is not charged here.
 */
final class BenchCall implements Call {
  Caller caller;
  final Buffer body;
  String key;
  Long size;
  String contentType;
  int items;

  BenchCall(Caller caller, Buffer body) {
    this.caller = caller;
    this.body = body;
  }

  @Override
  public Caller caller() {
    return caller;
  }

  @Override
  public Buffer body() {
    return body;
  }

  @Override
  public void audit(String key, Long size, String contentType) {
    this.key = key;
    this.size = size;
    this.contentType = contentType;
  }

  @Override
  public void auditItem(int index, String key, Long size, String contentType, ProblemException refusal) {
    items++;
  }

  @Override
  public void charge(int permits) {}
}
