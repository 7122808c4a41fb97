package dev.presign.gateway.policy;

/** An upload the policy allows: the server-made key and the values that will be signed (null = not signed). */
public record UploadPlan(String key, String contentType, Long size, String checksumSha256) {}
