# syntax=docker/dockerfile:1
# presign-gateway image: a build stage with Maven and a JDK, then a JRE-only runtime as a non-root user, with the
# JVM's flags in one file (src/main/docker/jvm.options) and an AOT cache trained on the request path.
#   docker build -t ghcr.io/example/presign-gateway:0.1.0 --build-arg VERSION=0.1.0 \
#     --build-arg REVISION=$(git rev-parse HEAD) .
#
# Base images: pin them by digest (tag@sha256:…) so that a rebuild gets the bytes that were tested, and bump them
# on purpose: `docker buildx imagetools inspect eclipse-temurin:25-jre` prints the current digest of the tag (the
# index digest, good for every platform); put `tag@digest` into the ARG below, rebuild, run the suite and
# load-tests/container-bench.sh, commit. Renovate's or Dependabot's docker managers do the same as pull requests.
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:25-jre

FROM ${BUILD_IMAGE} AS build
WORKDIR /build
# Dependencies first: this layer stays cached until pom.xml changes, however often the sources do.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
# -Dmdep.skip: the S3Proxy jar that the build copies into target/ is for tests and the local stack only.
RUN mvn -B -q -DskipTests -Dmdep.skip=true package

# Runtime: Temurin 25, measured against JDK 17 in BENCHMARKS.md (goal 2): ES256 token verification 1.43x faster,
# RS256 the same within noise; the jar is built for Java 17 and its whole test suite passes on both.
FROM ${RUNTIME_IMAGE}
ARG RUNTIME_IMAGE
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="presign-gateway" \
      org.opencontainers.image.description="Hands browsers short-lived SigV4 presigned S3 URLs for JWT-authenticated callers" \
      org.opencontainers.image.source="https://github.com/example/presign-gateway" \
      org.opencontainers.image.documentation="https://github.com/example/presign-gateway/blob/main/README.md" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${RUNTIME_IMAGE}"
RUN groupadd --system --gid 10001 gateway \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin gateway
WORKDIR /app
COPY --from=build /build/target/presign-gateway.jar /app/presign-gateway.jar
COPY src/main/docker/jvm.options /app/jvm.options
# The AOT cache (JEP 483/514): a training run starts a whole gateway on 127.0.0.1 and sends it every kind of request
# (Training.java), with the runtime's own flags and the prod pod's memory (-XX:MaxRAM=512m); the JVM writes the
# classes it loaded and linked and the methods' profiles to the cache, which every start then maps instead of
# loading them again (BENCHMARKS.md, container block). The cache belongs to this jar and this JVM: both are fixed
# in this image. Its JSON log lines are dropped; its summary (and the JVM's notes on classes it cannot cache)
# go to stderr.
RUN java @/app/jvm.options -XX:MaxRAM=512m -XX:AOTCacheOutput=/app/presign-gateway.aot \
      -jar /app/presign-gateway.jar train >/dev/null
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
# 8080: the API (HTTP_PORT); 9090: health probes and /metrics (MANAGEMENT_PORT), never behind the ingress.
EXPOSE 8080 9090
# The flags come from the argument file, not from JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS (each makes the launcher
# print a non-JSON "Picked up …" line at every start); nothing else sets JVM options (k8s/ neither).
ENTRYPOINT ["java", "@/app/jvm.options", "-XX:AOTCache=/app/presign-gateway.aot", "-jar", "/app/presign-gateway.jar"]
