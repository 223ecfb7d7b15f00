package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.rpc.ErrorInfo;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.lattice.identity.keys.KeyEncryption;
import dev.lattice.identity.v1.DeleteUserRequest;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.ListRolesRequest;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.RefreshTokenRequest;
import dev.lattice.identity.v1.Role;
import dev.lattice.identity.v1.User;
import dev.lattice.options.v1.Access;
import dev.lattice.options.v1.Options;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.CallOptions;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #4's authorization acceptance across the six services: forged, expired, misaddressed and
 * revoked tokens are UNAUTHENTICATED on an orders RPC, and every RPC of every service answers each
 * built-in role exactly as the contract's access option and the role's permissions say.
 */
class AuthAcceptanceIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static AuthFleet fleet;
  static ECKey signingKey;

  @BeforeAll
  static void start() throws Exception {
    fleet = new AuthFleet(postgres, nats, Map.of());
    fleet.loginAdmin();
    signingKey = currentSigningKey();
  }

  @AfterAll
  static void stop() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
  }

  /** Identity's real private key, decrypted with the fleet's key-encryption key. */
  private static ECKey currentSigningKey() throws Exception {
    try (Connection db =
            DriverManager.getConnection(
                fleet.identityDb.get("url"), fleet.identityDb.get("user"), "");
        ResultSet row =
            db.createStatement()
                .executeQuery(
                    "select kid, private_key_encrypted from signing_keys order by activate_time desc limit 1")) {
      assertThat(row.next()).isTrue();
      String kid = row.getString(1);
      byte[] plain = KeyEncryption.fromBase64(fleet.kek).decrypt(kid, row.getBytes(2));
      return ECKey.parse(new String(plain, StandardCharsets.UTF_8));
    }
  }

  private static JWTClaimsSet.Builder claims(User user) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .issuer("lattice-identity")
        .audience("lattice")
        .subject(user.getId())
        .claim("tenant_id", user.getTenantId())
        .claim("roles", List.of("customer"))
        .claim("permissions", List.of("orders.read", "orders.write", "inventory.read"))
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(900)))
        .jwtID(UUID.randomUUID().toString());
  }

  private static String sign(JWTClaimsSet claims, String kid) throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(kid)
                .type(new JOSEObjectType("at+jwt"))
                .build(),
            claims);
    jwt.sign(new ECDSASigner(signingKey));
    return jwt.serialize();
  }

  @Test
  void forgedExpiredMisaddressedAndRevokedTokens_areUnauthenticatedOnOrders() throws Exception {
    User user = fleet.user("victim@platform.test", "customer");
    String kid = signingKey.getKeyID();
    // The control: a well-formed token with the real key passes auth (orders then answers
    // NOT_FOUND for the random order id).
    String good = sign(claims(user).build(), kid);
    assertThat(fleet.getOrderWith(good))
        .isNotIn(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED);

    Map<String, String> attacks = new LinkedHashMap<>();
    attacks.put("alg none", new PlainJWT(claims(user).build()).serialize());
    SignedJWT hmac =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256)
                .keyID(kid)
                .type(new JOSEObjectType("at+jwt"))
                .build(),
            claims(user).build());
    byte[] publicKeyBytes =
        signingKey.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    hmac.sign(
        new MACSigner(
            java.util.Arrays.copyOf(publicKeyBytes, Math.max(32, publicKeyBytes.length))));
    attacks.put("HS256 signed with the public key", hmac.serialize());
    attacks.put("unknown kid", sign(claims(user).build(), "no-such-kid"));
    Instant now = Instant.now();
    attacks.put(
        "expired beyond skew",
        sign(
            claims(user)
                .issueTime(Date.from(now.minusSeconds(1000)))
                .notBeforeTime(Date.from(now.minusSeconds(1000)))
                .expirationTime(Date.from(now.minusSeconds(61)))
                .build(),
            kid));
    attacks.put(
        "nbf in the future",
        sign(claims(user).notBeforeTime(Date.from(now.plusSeconds(120))).build(), kid));
    attacks.put("wrong iss", sign(claims(user).issuer("https://evil.example").build(), kid));
    attacks.put("wrong aud", sign(claims(user).audience("someone-else").build(), kid));
    LoginResponse session = fleet.login("victim@platform.test", AuthFleet.PASSWORD);
    attacks.put("refresh token as access token", session.getRefreshToken());
    String[] parts = good.split("\\.");
    String tampered =
        new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)
            .replace("\"orders.read\"", "\"orders.manage\"");
    attacks.put("tampered payload", parts[0] + "." + Base64URL.encode(tampered) + "." + parts[2]);

    // A deleted user's token obtained by refresh: valid signature, revoked subject.
    var refreshed =
        fleet
            .identity()
            .refreshToken(
                RefreshTokenRequest.newBuilder()
                    .setRefreshToken(session.getRefreshToken())
                    .build());
    assertThat(fleet.getOrderWith(refreshed.getAccessToken()))
        .isNotEqualTo(Status.Code.UNAUTHENTICATED);
    User current =
        fleet
            .identity()
            .withCallCredentials(BearerToken.of(fleet.loginAdmin().getAccessToken()))
            .getUser(
                dev.lattice.identity.v1.GetUserRequest.newBuilder().setUserId(user.getId()).build())
            .getUser();
    fleet
        .identity()
        .withCallCredentials(BearerToken.of(fleet.loginAdmin().getAccessToken()))
        .deleteUser(
            DeleteUserRequest.newBuilder()
                .setUserId(user.getId())
                .setVersion(current.getVersion())
                .build());
    attacks.put("token of a deleted user after refresh", refreshed.getAccessToken());

    Map<String, Status.Code> outcomes = new LinkedHashMap<>();
    for (var attack : attacks.entrySet()) {
      outcomes.put(attack.getKey(), awaitUnauthenticated(attack.getValue()));
    }
    assertThat(outcomes)
        .allSatisfy(
            (name, code) -> assertThat(code).as(name).isEqualTo(Status.Code.UNAUTHENTICATED));
  }

  /** Revocation travels as an event: allow it a few seconds to reach orders. */
  private static Status.Code awaitUnauthenticated(String token) throws InterruptedException {
    Status.Code code = fleet.getOrderWith(token);
    for (int i = 0; i < 100 && code != Status.Code.UNAUTHENTICATED; i++) {
      Thread.sleep(50);
      code = fleet.getOrderWith(token);
    }
    return code;
  }

  @Test
  void rbacMatrix_everyRpcOfEveryService_byEveryBuiltInRole() {
    Map<String, String> tokens = new LinkedHashMap<>();
    tokens.put("customer", tokenFor(fleet.user("customer@platform.test", "customer")));
    tokens.put("staff", tokenFor(fleet.user("staff@platform.test", "staff")));
    tokens.put("admin", tokenFor(fleet.user("admin@platform.test", "admin")));
    tokens.put("platform-admin", fleet.loginAdmin().getAccessToken());

    Map<String, Set<String>> granted = new HashMap<>();
    for (Role role :
        IdentityServiceGrpc.newBlockingStub(fleet.channel("identity"))
            .withCallCredentials(BearerToken.of(tokens.get("platform-admin")))
            .listRoles(ListRolesRequest.newBuilder().setPageSize(100).build())
            .getRolesList()) {
      granted.put(role.getName(), new TreeSet<>(role.getPermissionsList()));
    }
    assertThat(granted.get("customer"))
        .containsExactly("inventory.read", "orders.read", "orders.write");

    Map<String, List<ServiceDescriptor>> services = new LinkedHashMap<>();
    services.put("identity", List.of(IdentityServiceGrpc.getServiceDescriptor()));
    services.put("orders", List.of(OrdersServiceGrpc.getServiceDescriptor()));
    services.put(
        "inventory", List.of(dev.lattice.inventory.v1.InventoryServiceGrpc.getServiceDescriptor()));
    services.put(
        "payments", List.of(dev.lattice.payments.v1.PaymentsServiceGrpc.getServiceDescriptor()));
    services.put(
        "notifications",
        List.of(dev.lattice.notifications.v1.NotificationsServiceGrpc.getServiceDescriptor()));
    services.put("audit", List.of(dev.lattice.audit.v1.AuditServiceGrpc.getServiceDescriptor()));

    List<String> mismatches = new ArrayList<>();
    int checked = 0;
    for (var entry : services.entrySet()) {
      List<ServiceDescriptor> descriptors = new ArrayList<>(entry.getValue());
      descriptors.add(dev.lattice.operations.v1.OperationsServiceGrpc.getServiceDescriptor());
      for (ServiceDescriptor service : descriptors) {
        for (io.grpc.MethodDescriptor<?, ?> method : service.getMethods()) {
          MethodDescriptor proto =
              ((ProtoMethodDescriptorSupplier) method.getSchemaDescriptor()).getMethodDescriptor();
          Access access = proto.getOptions().getExtension(Options.access);
          for (var role : tokens.entrySet()) {
            boolean expected =
                access.getPublic()
                    || access.getAuthenticated()
                    || granted.get(role.getKey()).contains(access.getPermission());
            boolean allowed = allowed(entry.getKey(), method, proto, role.getValue());
            checked++;
            if (expected != allowed) {
              mismatches.add(
                  entry.getKey()
                      + " "
                      + method.getFullMethodName()
                      + " as "
                      + role.getKey()
                      + ": expected "
                      + (expected ? "allowed" : "PERMISSION_DENIED"));
            }
          }
        }
      }
    }
    System.out.printf("RBAC matrix: %d (rpc, role) pairs checked%n", checked);
    assertThat(mismatches).isEmpty();
    assertThat(checked).isGreaterThan(200);
  }

  private static String tokenFor(User user) {
    return fleet.login(user.getEmail(), AuthFleet.PASSWORD).getAccessToken();
  }

  /** Calls {@code method} with an empty request: allowed unless auth refuses it. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean allowed(
      String service, io.grpc.MethodDescriptor method, MethodDescriptor proto, String token) {
    Object request = DynamicMessage.getDefaultInstance(proto.getInputType());
    try {
      if (method.getType() == io.grpc.MethodDescriptor.MethodType.UNARY) {
        ClientCalls.blockingUnaryCall(
            fleet.channel(service),
            method,
            CallOptions.DEFAULT
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .withCallCredentials(BearerToken.of(token)),
            request);
      } else {
        var responses =
            ClientCalls.blockingServerStreamingCall(
                fleet.channel(service),
                method,
                CallOptions.DEFAULT
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .withCallCredentials(BearerToken.of(token)),
                request);
        while (responses.hasNext()) {
          responses.next();
        }
      }
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
        if (reasonOf(e).equals("WEBHOOK_SIGNATURE_INVALID")) {
          return true; // past auth: the public webhook's own check of the provider's signature
        }
        throw new AssertionError(method.getFullMethodName() + ": token refused: " + e.getStatus());
      }
      if (e.getStatus().getCode() != Status.Code.PERMISSION_DENIED) {
        return true;
      }
      com.google.rpc.Status details = StatusProto.fromThrowable(e);
      boolean byAuth =
          details != null
              && details.getDetailsList().stream()
                  .filter(any -> any.is(ErrorInfo.class))
                  .anyMatch(
                      any -> {
                        try {
                          return any.unpack(ErrorInfo.class)
                              .getReason()
                              .equals("PERMISSION_DENIED");
                        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                          return false;
                        }
                      });
      return !byAuth;
    }
  }

  private static String reasonOf(StatusRuntimeException e) {
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    if (details == null) {
      return "";
    }
    return details.getDetailsList().stream()
        .filter(any -> any.is(ErrorInfo.class))
        .map(
            any -> {
              try {
                return any.unpack(ErrorInfo.class).getReason();
              } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                throw new IllegalStateException(ex);
              }
            })
        .findFirst()
        .orElse("");
  }
}
