package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.lattice.identity.v1.CreateTenantRequest;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.ListRolesRequest;
import dev.lattice.identity.v1.Role;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.mesh.MeshRpcs.Rpc;
import dev.lattice.mesh.RawMeshClient.Outcome;
import dev.lattice.options.v1.Options;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.CreateOrderResponse;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.platform.auth.BearerToken;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #15's cross-tenant attempts: tenant A (the platform tenant) makes products, orders (and
 * through the saga stock reservations, payments, notifications and audit records) with idempotency
 * keys; then valid tokens of a new tenant B — its administrator, B tokens carrying A's
 * administrator's and A's customer's own subject ids — call every RPC of the mesh that names a
 * resource by id ({@link ForeignRequests}) with the id of every resource A lists ({@link
 * TenantResources}), read every list with A's page tokens, and send A's idempotency keys. Each
 * answer must be the one the same call gets for an id that exists nowhere (so ids cannot be
 * probed), show none of A's ids, and nothing of A's may change: A lists the same resources, byte
 * for byte, and no row or event is added ({@link StoredState}).
 */
@ExtendWith(SharedMeshes.class)
class CrossTenantIT {

  private static final int ORDERS = 15;
  private static final Metadata.Key<String> IDEMPOTENCY_KEY =
      Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);

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
  void tenantB_getsNothingOfTenantA_byIdListPageTokenOrIdempotencyKey_andChangesNothing(
      SharedMesh mesh) {
    List<Rpc> rpcs = MeshRpcs.of(client.channels());
    String admin = client.token();
    EdgeAccounts accounts =
        new EdgeAccounts(new JsonApi(mesh.edgeUrl()), MailSource.folder(mesh.mailFolder()));
    String email = "xt-customer-" + System.nanoTime() + "@platform.test";
    accounts.registerAndVerify(email, "a long passphrase 1234", "customer");
    String customer =
        accounts.login(email, "a long passphrase 1234").get("accessToken").getAsString();
    Map<String, CreateOrderRequest> keyed = orders(admin, customer);

    List<CrossTenantTally.Caller> tenantB = callersOfTenantB(mesh, admin, customer);
    StoredState before = StoredState.settled(mesh, Duration.ofSeconds(90));
    TenantResources a = TenantResources.listed(client, admin, rpcs);
    assertThat(a.byKind())
        .containsKeys("order", "product", "payment", "user", "audit_record", "notification");

    long start = System.nanoTime();
    CrossTenantTally tally = new CrossTenantTally(a.allIds());
    ForeignRequests requests = new ForeignRequests();
    for (CrossTenantTally.Caller caller : tenantB) {
      List<String> permissions = permissionsOf(caller.token());
      for (Rpc rpc : rpcs) {
        String permission = rpc.proto().getOptions().getExtension(Options.access).getPermission();
        if (!permission.isEmpty() && !permissions.contains(permission)) {
          continue;
        }
        byId(caller, rpc, a, requests, tally);
        if (rpc.isRead() && namesNothing(rpc)) {
          tally.own(caller, rpc, client);
        }
        if (rpc.isRead() && rpc.proto().getInputType().findFieldByName("page_token") != null) {
          tally.listed(caller, rpc, a.pageTokens().get(rpc.name()), client);
        }
        if (rpc.requiresIdempotencyKey()) {
          keyed.forEach((key, body) -> tally.keyed(caller, rpc, key, body.toByteArray(), client));
        }
      }
    }
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    StoredState after = StoredState.settled(mesh, Duration.ofSeconds(90));
    TenantResources again = TenantResources.listed(client, admin, rpcs);
    System.out.printf(
        "cross-tenant: %d attempts by %d callers of tenant B (%s by kind; %d reached a handler)"
            + " in %d ms, %d failures%n",
        tally.attempts(),
        tenantB.size(),
        tally.byKind(),
        tally.reached(),
        elapsed,
        tally.failures().size());
    SoftAssertions softly = new SoftAssertions();
    softly.assertThat(tally.failures()).as(String.join("\n", tally.failures())).isEmpty();
    softly.assertThat(tally.attempts()).isGreaterThanOrEqualTo(1000);
    softly.assertThat(tally.reached()).as("attempts past validation").isGreaterThan(500);
    softly.assertThat(after.changesSince(before)).as("rows or events added").isEmpty();
    for (var kind : a.byKind().entrySet()) {
      softly
          .assertThat(again.of(kind.getKey()))
          .as("tenant A's %s", kind.getKey())
          .containsAllEntriesOf(kind.getValue());
    }
    softly.assertAll();
  }

  /** Every RPC field naming a kind A has, with each of A's ids of it, as {@code token}. */
  private static void byId(
      CrossTenantTally.Caller caller,
      Rpc rpc,
      TenantResources a,
      ForeignRequests requests,
      CrossTenantTally tally) {
    for (FieldDescriptor field : rpc.proto().getInputType().getFields()) {
      String kind = TenantResources.kindNamedBy(field).orElse(null);
      if (kind == null) {
        continue;
      }
      for (Map.Entry<String, Message> resource : a.of(kind).entrySet()) {
        DynamicMessage theirs =
            requests.naming(
                rpc.proto().getInputType(), field, resource.getKey(), resource.getValue());
        String nowhere = UUID.randomUUID().toString();
        DynamicMessage none =
            requests.naming(rpc.proto().getInputType(), field, nowhere, resource.getValue());
        Outcome outcome = client.callAs(caller.token(), rpc, theirs.toByteArray(), new Metadata());
        Outcome control = client.callAs(caller.token(), rpc, none.toByteArray(), new Metadata());
        tally.byId(
            caller,
            caller.name() + " " + rpc.name() + " " + field.getName() + "=" + kind,
            kind,
            resource.getKey(),
            outcome,
            nowhere,
            control,
            requests.valid(theirs));
      }
    }
  }

  private static Order orderOf(Outcome created) {
    try {
      return CreateOrderResponse.parseFrom(created.answer()).getOrder();
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("CreateOrder answered no CreateOrderResponse", e);
    }
  }

  /** True for a request with no id of a resource and no page: the caller's own. */
  private static boolean namesNothing(Rpc rpc) {
    return rpc.proto().getInputType().findFieldByName("page_token") == null
        && rpc.proto().getInputType().getFields().stream()
            .allMatch(field -> TenantResources.kindNamedBy(field).isEmpty());
  }

  /**
   * Creates products and orders in tenant A, some as its customer, each order with an idempotency
   * key, and waits until each is paid: key → request.
   */
  private static Map<String, CreateOrderRequest> orders(String admin, String customer) {
    var inventory =
        InventoryServiceGrpc.newBlockingStub(client.channels().get("inventory"))
            .withCallCredentials(BearerToken.of(admin))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    Map<String, CreateOrderRequest> keyed = new LinkedHashMap<>();
    List<String> orderIds = new ArrayList<>();
    Rpc createOrder =
        MeshRpcs.of(client.channels()).stream()
            .filter(rpc -> rpc.grpc().getFullMethodName().endsWith("OrdersService/CreateOrder"))
            .findFirst()
            .orElseThrow();
    for (int i = 0; i < ORDERS; i++) {
      String product =
          inventory
              .createProduct(
                  CreateProductRequest.newBuilder()
                      .setSku("XT-" + System.nanoTime())
                      .setName("cross-tenant " + i)
                      .setPriceAmountMinor(1200)
                      .setCurrency("EUR")
                      .setInitialStock(100)
                      .build())
              .getProduct()
              .getId();
      CreateOrderRequest order =
          CreateOrderRequest.newBuilder()
              .addLines(CreateOrderRequest.Line.newBuilder().setProductId(product).setQuantity(1))
              .setCurrency("EUR")
              .setPaymentMethodToken("tok_visa")
              .build();
      String key = "xt-" + UUID.randomUUID();
      Metadata headers = new Metadata();
      headers.put(IDEMPOTENCY_KEY, key);
      Outcome created =
          client.callAs(i % 3 == 0 ? customer : admin, createOrder, order.toByteArray(), headers);
      assertThat(created.status().getCode())
          .as(created.status().toString())
          .isEqualTo(Status.Code.OK);
      keyed.put(key, order);
      orderIds.add(orderOf(created).getId());
    }
    var orders =
        OrdersServiceGrpc.newBlockingStub(client.channels().get("orders"))
            .withCallCredentials(BearerToken.of(admin));
    for (String id : orderIds) {
      await("order " + id + " to be paid")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  orders
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .getOrder(GetOrderRequest.newBuilder().setOrderId(id).build())
                      .getOrder()
                      .getStatus(),
              status -> status == OrderStatus.ORDER_STATUS_PAID);
    }
    return keyed;
  }

  /**
   * Callers of a new tenant B with valid tokens, signed with identity's key as identity signs them:
   * its administrator and its staff, an administrator carrying A's administrator's subject and a
   * customer carrying A's customer's.
   */
  private static List<CrossTenantTally.Caller> callersOfTenantB(
      SharedMesh mesh, String admin, String customer) {
    var identity =
        IdentityServiceGrpc.newBlockingStub(client.channels().get("identity"))
            .withCallCredentials(BearerToken.of(admin))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    String tenant =
        identity
            .createTenant(
                CreateTenantRequest.newBuilder()
                    .setSlug("xt-" + System.nanoTime())
                    .setDisplayName("Tenant B")
                    .build())
            .getTenant()
            .getId();
    Map<String, List<String>> roles = new LinkedHashMap<>();
    for (Role role :
        identity.listRoles(ListRolesRequest.newBuilder().setPageSize(100).build()).getRolesList()) {
      roles.put(role.getName(), role.getPermissionsList());
    }
    ForgedTokens forge = ForgedTokens.of(mesh);
    String creator = subjectOf(admin);
    String adminB = UUID.randomUUID().toString();
    String staffB = UUID.randomUUID().toString();
    return List.of(
        new CrossTenantTally.Caller(
            "B's admin", forge.signed(ofB(admin, tenant, adminB, "admin", roles)), Set.of(creator)),
        new CrossTenantTally.Caller(
            "B's staff", forge.signed(ofB(admin, tenant, staffB, "staff", roles)), Set.of(creator)),
        new CrossTenantTally.Caller(
            "B admin with A admin's subject",
            forge.signed(ofB(admin, tenant, creator, "admin", roles)),
            Set.of(creator)),
        new CrossTenantTally.Caller(
            "B customer with A customer's subject",
            forge.signed(ofB(customer, tenant, subjectOf(customer), "customer", roles)),
            Set.of(creator, subjectOf(customer))));
  }

  private static JWTClaimsSet ofB(
      String like, String tenant, String subject, String role, Map<String, List<String>> roles) {
    return ForgedTokens.claimsOf(like)
        .subject(subject)
        .claim("tenant_id", tenant)
        .claim("roles", List.of(role))
        .claim("permissions", roles.get(role))
        .build();
  }

  private static String subjectOf(String token) {
    return ForgedTokens.claimsOf(token).build().getSubject();
  }

  private static List<String> permissionsOf(String token) {
    return ForgedTokens.claimsOf(token).build().getClaim("permissions") instanceof List<?> granted
        ? granted.stream().map(String::valueOf).toList()
        : List.of();
  }
}
