package dev.presign.gateway.policy;

/** What a client asks to upload; every field but {@code filename} is optional (null). */
public record UploadRequest(String filename, String contentType, Long size, String checksumSha256, String prefix) {}
