package dev.presign.gateway.auth;

import java.util.List;

/**
 * Who is calling, from a verified token: the subject and any extra key prefixes its token grants
 * (from the configured prefixes claim). Plain data: the policy package reads it without Vert.x.
 */
public record Caller(String subject, List<String> extraPrefixes) {
  public Caller {
    extraPrefixes = List.copyOf(extraPrefixes);
  }
}
