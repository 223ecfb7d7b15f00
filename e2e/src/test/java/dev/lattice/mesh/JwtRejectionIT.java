package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import com.google.protobuf.DynamicMessage;
import dev.lattice.identity.v1.DeleteUserRequest;
import dev.lattice.identity.v1.GetUserRequest;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.User;
import dev.lattice.mesh.MeshRpcs.Rpc;
import dev.lattice.mesh.RawMeshClient.Outcome;
import dev.lattice.options.v1.Access;
import dev.lattice.options.v1.Options;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.validation.ValidationInterceptor;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #15's JWT rejection matrix on every service: every RPC of every server of one running mesh
 * that needs a token ({@link MeshRpcs}, so a new RPC is covered with no change here) is called with
 * no token, malformed ones, forged ones (a stranger's key, {@code alg: none}, HS256 with identity's
 * public key), expired, not yet valid, another issuer's, another audience's, an unknown {@code
 * kid}'s, a refresh token and a deleted user's; each must be {@code UNAUTHENTICATED} with the
 * documented reason (docs/architecture.md §9), and a customer's token must be {@code
 * PERMISSION_DENIED} on every RPC whose permission customers lack. The same request with the
 * administrator's token is the control (where the empty request is a read, or one validation
 * refuses): it gets past auth. Nothing may be stored ({@link StoredState}). Health and reflection
 * answer without a token.
 */
@ExtendWith(SharedMeshes.class)
class JwtRejectionIT {

  private static final byte[] EMPTY_REQUEST = new byte[0];

  private static RawMeshClient client;

  @BeforeAll
  static void connect(SharedMesh mesh) {
    client = new RawMeshClient(mesh);
  }

  @AfterAll
  static void close() throws InterruptedException {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void everyRpcOfEveryService_refusesEveryBadToken_unauthenticated_andStoresNothing(
      SharedMesh mesh) {
    List<Rpc> rpcs = MeshRpcs.of(client.channels());
    List<Rpc> guarded = rpcs.stream().filter(rpc -> !access(rpc).getPublic()).toList();
    assertThat(guarded).extracting(Rpc::server).containsAll(RawMeshClient.SERVERS.keySet());

    EdgeAccounts accounts =
        new EdgeAccounts(new JsonApi(mesh.edgeUrl()), MailSource.folder(mesh.mailFolder()));
    JsonObject session = signedIn(accounts, "jwt-customer");
    String customer = session.get("accessToken").getAsString();
    String revoked = revokedToken(accounts, guarded);
    Map<String, BadTokens.Attack> attacks = BadTokens.of(mesh, client.token(), revoked);
    attacks.put(
        "a refresh token",
        BadTokens.Attack.token(session.get("refreshToken").getAsString(), "TOKEN_INVALID"));

    StoredState before = StoredState.settled(mesh, Duration.ofSeconds(60));
    long start = System.nanoTime();
    List<String> failures = new ArrayList<>();
    int calls = 0;
    List<String> customerPermissions =
        ForgedTokens.claimsOf(customer).build().getClaim("permissions") instanceof List<?> granted
            ? granted.stream().map(String::valueOf).toList()
            : List.of();
    int denied = 0;
    ValidationInterceptor rules = new ValidationInterceptor();
    for (Rpc rpc : guarded) {
      // The control, unless an empty request is a write the server would make (RotateSigningKey).
      if (rpc.isRead()
          || !rules
              .violations(DynamicMessage.getDefaultInstance(rpc.proto().getInputType()))
              .isEmpty()) {
        Outcome control = client.call(rpc, EMPTY_REQUEST, new Metadata());
        calls++;
        if (control.status().getCode() == Status.Code.UNAUTHENTICATED
            || control.reason().equals("PERMISSION_DENIED")) {
          failures.add(rpc.name() + " refused the administrator: " + control.status());
        }
      }
      for (Map.Entry<String, BadTokens.Attack> attack : attacks.entrySet()) {
        BadTokens.Attack what = attack.getValue();
        Outcome outcome = client.callAs(what.bearer(), rpc, EMPTY_REQUEST, what.headers());
        calls++;
        expect(
            rpc.name() + " with " + attack.getKey(),
            outcome,
            Status.Code.UNAUTHENTICATED,
            what.reason(),
            failures);
      }
      String permission = access(rpc).getPermission();
      if (!permission.isEmpty() && !customerPermissions.contains(permission)) {
        Outcome outcome = client.callAs(customer, rpc, EMPTY_REQUEST, new Metadata());
        calls++;
        denied++;
        expect(
            rpc.name() + " as a customer",
            outcome,
            Status.Code.PERMISSION_DENIED,
            "PERMISSION_DENIED",
            failures);
      }
    }
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    StoredState after = StoredState.settled(mesh, Duration.ofSeconds(60));
    System.out.printf(
        "JWT rejection matrix: %d RPCs guarded of %d, %d attacks each, %d staff-only RPCs refused"
            + " a customer, %d calls in %d ms, %d failures%n",
        guarded.size(), rpcs.size(), attacks.size(), denied, calls, elapsed, failures.size());
    SoftAssertions softly = new SoftAssertions();
    softly.assertThat(failures).as(String.join("\n", failures)).isEmpty();
    softly.assertThat(after.changesSince(before)).as("rows or events added").isEmpty();
    softly.assertThat(denied).as("RPCs a customer may not call").isGreaterThan(20);
    softly.assertAll();
  }

  @Test
  void healthAndReflection_answerWithoutAToken() {
    for (var server : client.channels().entrySet()) {
      HealthCheckResponse health =
          HealthGrpc.newBlockingStub(server.getValue())
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance());
      assertThat(health.getStatus())
          .as(server.getKey())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
    // MeshRpcs lists each server's services through reflection, without a token.
    assertThat(MeshRpcs.of(client.channels())).isNotEmpty();
  }

  private static void expect(
      String call, Outcome outcome, Status.Code code, String reason, List<String> failures) {
    if (outcome.status().getCode() != code || !outcome.reason().equals(reason)) {
      failures.add(
          call
              + ": "
              + outcome.status().getCode()
              + " "
              + outcome.reason()
              + " \""
              + outcome.status().getDescription()
              + "\", expected "
              + code
              + " "
              + reason);
    }
    Leaks.in(outcome.status(), outcome.trailers())
        .forEach(leak -> failures.add(call + ": " + leak));
  }

  /** A new customer of the platform tenant, signed in: its LoginResponse. */
  private static JsonObject signedIn(EdgeAccounts accounts, String name) {
    String email = name + "-" + System.nanoTime() + "@platform.test";
    String password = "a long passphrase 1234";
    accounts.registerAndVerify(email, password, name);
    return accounts.login(email, password);
  }

  /**
   * The access token of a customer the administrator then deleted, once every server refuses it:
   * the deletion reaches them as an event.
   */
  private static String revokedToken(EdgeAccounts accounts, List<Rpc> guarded) {
    String email = "jwt-revoked-" + System.nanoTime() + "@platform.test";
    String password = "a long passphrase 1234";
    JsonObject user = accounts.registerAndVerify(email, password, "revoked");
    String token = accounts.login(email, password).get("accessToken").getAsString();
    var identity =
        IdentityServiceGrpc.newBlockingStub(client.channels().get("identity"))
            .withCallCredentials(BearerToken.of(client.token()))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    User current =
        identity
            .getUser(GetUserRequest.newBuilder().setUserId(user.get("id").getAsString()).build())
            .getUser();
    identity.deleteUser(
        DeleteUserRequest.newBuilder()
            .setUserId(current.getId())
            .setVersion(current.getVersion())
            .build());
    for (String server : RawMeshClient.SERVERS.keySet()) {
      Rpc probe = guarded.stream().filter(rpc -> rpc.server().equals(server)).findFirst().get();
      await(server + " to refuse a deleted user's token")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> client.callAs(token, probe, EMPTY_REQUEST, new Metadata()).status().getCode(),
              code -> code == Status.Code.UNAUTHENTICATED);
    }
    return token;
  }

  private static Access access(Rpc rpc) {
    return rpc.proto().getOptions().getExtension(Options.access);
  }
}
