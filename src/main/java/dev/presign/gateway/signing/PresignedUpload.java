package dev.presign.gateway.signing;

import java.time.Instant;
import java.util.Map;

/** A signed PUT: the URL, and every header the client must send with exactly these values. */
public record PresignedUpload(String key, String url, Map<String, String> headers, Instant expiresAt) {}
