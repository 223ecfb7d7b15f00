# syntax=docker/dockerfile:1
#
# Lattice's images, built from this repository (never from a host's target/):
#   docker compose up --build                      every target, through docker-compose.yml
#   docker build --target orders -t lattice-orders .   one of them
#
# "build" compiles the whole project once. Each deployable (identity, orders, inventory,
# payments, notifications, audit, sandbox) is a JRE 21 image that runs its jar, with the jar's
# lib/ beside it, as an unprivileged user. "envoy" is the edge with the repository's envoy.yaml
# and the descriptor set of this very build; "otel-collector" is the OpenTelemetry collector with
# a shell beside it for its health check. e2e's ComposeFileTest checks that every target the
# compose file names is here and that the jars copied are the modules' own.

ARG JDK_IMAGE=eclipse-temurin:21-jdk-noble
ARG JRE_IMAGE=eclipse-temurin:21-jre-noble
ARG ENVOY_IMAGE=envoyproxy/envoy:v1.36.2
ARG OTELCOL_IMAGE=otel/opentelemetry-collector-contrib:0.139.0
ARG BUSYBOX_IMAGE=busybox:1.37

# ---------------------------------------------------------------------------------------------
FROM ${JDK_IMAGE} AS build
# jOOQ's classes are generated during the build from each service's migrations, read back from a
# real PostgreSQL the build starts (codegen/, local-servers' PostgresServer): it needs the
# server binaries (/usr/lib/postgresql/<version>/bin), and since the build runs as root it starts
# them as the OS user postgres through runuser. The package's own cluster is not wanted.
RUN mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/lattice.conf \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Maven's downloads stay in a build cache between builds; tests run in ./mesh test, not here.
RUN --mount=type=cache,target=/root/.m2 sh ./mvnw -B -ntp -DskipTests package

# ---------------------------------------------------------------------------------------------
FROM ${JRE_IMAGE} AS runtime
RUN groupadd --system --gid 10001 lattice \
 && useradd --system --uid 10001 --gid lattice --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin lattice
WORKDIR /app
USER 10001:10001

FROM runtime AS identity
COPY --from=build /src/identity/target/lib/ /app/lib/
COPY --from=build /src/identity/target/lattice-identity.jar /app/lattice-identity.jar
EXPOSE 9101 9201
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/lattice-identity.jar"]

FROM runtime AS orders
COPY --from=build /src/orders/target/lib/ /app/lib/
COPY --from=build /src/orders/target/lattice-orders.jar /app/lattice-orders.jar
EXPOSE 9102
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/lattice-orders.jar"]

FROM runtime AS inventory
COPY --from=build /src/inventory/target/lib/ /app/lib/
COPY --from=build /src/inventory/target/lattice-inventory.jar /app/lattice-inventory.jar
EXPOSE 9103
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/lattice-inventory.jar"]

FROM runtime AS payments
COPY --from=build /src/payments/target/lib/ /app/lib/
COPY --from=build /src/payments/target/lattice-payments.jar /app/lattice-payments.jar
EXPOSE 9104 9204
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/lattice-payments.jar"]

FROM runtime AS notifications
COPY --from=build /src/notifications/target/lib/ /app/lib/
COPY --from=build /src/notifications/target/lattice-notifications.jar /app/lattice-notifications.jar
EXPOSE 9105
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/lattice-notifications.jar"]

FROM runtime AS audit
COPY --from=build /src/audit/target/lib/ /app/lib/
COPY --from=build /src/audit/target/lattice-audit.jar /app/lattice-audit.jar
EXPOSE 9106
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/lattice-audit.jar"]

FROM runtime AS sandbox
COPY --from=build /src/sandbox/target/lib/ /app/lib/
COPY --from=build /src/sandbox/target/lattice-sandbox.jar /app/lattice-sandbox.jar
EXPOSE 9210
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/lattice-sandbox.jar"]

# ---------------------------------------------------------------------------------------------
# The edge. The official image's entrypoint drops to its own unprivileged user (envoy, uid 101).
FROM ${ENVOY_IMAGE} AS envoy
COPY --from=build /src/envoy/envoy.yaml /etc/envoy/envoy.yaml
COPY --from=build /src/proto/target/descriptors/lattice.binpb /etc/envoy/lattice.binpb
EXPOSE 8080
CMD ["envoy", "-c", "/etc/envoy/envoy.yaml"]

# ---------------------------------------------------------------------------------------------
# The collector's own image has no shell (FROM scratch), so nothing in it could run a health
# check: its static binary and CA bundle go onto busybox, whose wget asks the health_check
# extension. The configuration is mounted from deploy/otel/collector.yaml.
FROM ${OTELCOL_IMAGE} AS otelcol-dist

FROM ${BUSYBOX_IMAGE} AS otel-collector
COPY --from=otelcol-dist /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=otelcol-dist /otelcol-contrib /otelcol-contrib
USER 10001:10001
EXPOSE 4317 4318
ENTRYPOINT ["/otelcol-contrib"]
CMD ["--config", "/etc/otelcol/collector.yaml"]
