package dev.lattice.mesh;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The edge a conformance or browser run talks to. By default a {@link SharedMesh} started for the
 * run (the local edge of {@code ./mesh up}); with {@code -Dlattice.edge.url=…} any running Lattice
 * behind any edge — Envoy from docker-compose.yml included — unchanged:
 *
 * <pre>
 * ./mvnw -pl e2e verify -Dit.test='EdgeConformanceIT' \
 *   -Dlattice.edge.url=http://localhost:8080 -Dlattice.edge.adminPassword=… \
 *   -Dlattice.edge.mailpit=http://localhost:8025 \
 *   -Dlattice.edge.identityDb=jdbc:postgresql://localhost:5432/lattice_identity \
 *   -Dlattice.edge.identityDbUser=postgres -Dlattice.edge.identityDbPassword=… -Dlattice.edge.kek=…
 * </pre>
 *
 * The identity database and its key-encryption key are only used to sign an expired token with the
 * real signing key (the one way to prove that expiry, not the signature, is what is refused).
 *
 * @param baseUrl the edge, e.g. {@code http://localhost:8080}
 * @param adminEmail the platform administrator (tenant {@code platform})
 * @param adminPassword their password
 * @param mail where the mesh's mail can be read
 * @param expiredTokens signs expired tokens with identity's current key
 */
record EdgeTarget(
    String baseUrl,
    String adminEmail,
    String adminPassword,
    MailSource mail,
    ExpiredTokens expiredTokens) {

  static EdgeTarget resolve(ExtensionContext context) {
    Optional<String> url = property("lattice.edge.url");
    if (url.isEmpty()) {
      SharedMesh mesh = SharedMesh.get(context);
      return new EdgeTarget(
          mesh.edgeUrl(),
          mesh.secret("admin.email"),
          mesh.secret("admin.password"),
          MailSource.folder(mesh.mailFolder()),
          new ExpiredTokens(mesh.jdbcUrl("identity"), "postgres", "", mesh.secret("identity.kek")));
    }
    MailSource mail =
        property("lattice.edge.mailDir")
            .map(dir -> MailSource.folder(java.nio.file.Path.of(dir)))
            .orElseGet(
                () ->
                    MailSource.mailpit(
                        property("lattice.edge.mailpit").orElse("http://localhost:8025")));
    return new EdgeTarget(
        url.get(),
        property("lattice.edge.adminEmail").orElse(MeshSecrets.DEFAULT_ADMIN_EMAIL),
        required("lattice.edge.adminPassword"),
        mail,
        new ExpiredTokens(
            required("lattice.edge.identityDb"),
            property("lattice.edge.identityDbUser").orElse("postgres"),
            property("lattice.edge.identityDbPassword").orElse(""),
            required("lattice.edge.kek")));
  }

  private static Optional<String> property(String name) {
    return Optional.ofNullable(System.getProperty(name)).filter(v -> !v.isBlank());
  }

  private static String required(String name) {
    return property(name)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "-D" + name + " is required when -Dlattice.edge.url points at another edge"));
  }

  @Override
  public String toString() {
    return "EdgeTarget[" + baseUrl + ", admin " + adminEmail + "]";
  }
}
