package dev.lattice.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.lattice.identity.v1.GetJwksRequest;
import dev.lattice.local.FreePorts;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The JWKS as plain JSON over HTTP, as Envoy's jwt_authn fetches it. */
class JwksHttpIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static IdentityHarness identity;
  static int httpPort;

  @BeforeAll
  static void start() {
    httpPort = FreePorts.next();
    identity =
        IdentityHarness.start(
            postgres, nats, Map.of("LATTICE_IDENTITY_JWKS_HTTP_PORT", Integer.toString(httpPort)));
  }

  @AfterAll
  static void stop() throws Exception {
    identity.close();
  }

  @Test
  void wellKnownJwks_isAStandardJwkSetThatVerifiesIssuedTokens() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/.well-known/jwks.json"))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("application/jwk-set+json");
    assertThat(response.headers().firstValue("cache-control")).contains("public, max-age=300");
    JWKSet set = JWKSet.parse(response.body());
    assertThat(set.getKeys())
        .hasSize(identity.stub().getJwks(GetJwksRequest.getDefaultInstance()).getKeysCount());
    assertThat(set.getKeys()).allSatisfy(key -> assertThat(key.isPrivate()).isFalse());

    SignedJWT token = SignedJWT.parse(identity.loginAdmin().getAccessToken());
    ECKey key = (ECKey) set.getKeyByKeyId(token.getHeader().getKeyID());
    assertThat(token.verify(new ECDSAVerifier(key))).isTrue();
  }

  @Test
  void otherMethodsAndPaths_areRefused() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<Void> post =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/.well-known/jwks.json"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(post.statusCode()).isEqualTo(405);
    HttpResponse<Void> other =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + httpPort + "/.well-known/jwks.json/x"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(other.statusCode()).isEqualTo(404);
  }
}
