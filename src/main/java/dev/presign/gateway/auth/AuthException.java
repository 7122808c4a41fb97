package dev.presign.gateway.auth;

/** The request carries no acceptable token: answered 401 with a WWW-Authenticate challenge. */
public final class AuthException extends RuntimeException {
  public AuthException(String detail) {
    super(detail, null, false, false);
  }
}
