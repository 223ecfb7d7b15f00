package dev.lattice.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lattice.events.v1.Envelope;
import dev.lattice.identity.v1.CreateTenantRequest;
import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import dev.lattice.identity.v1.InitialAdmin;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.PasswordResetRequested;
import dev.lattice.identity.v1.RefreshTokenRequest;
import dev.lattice.identity.v1.RegisterRequest;
import dev.lattice.identity.v1.ResetPasswordRequest;
import dev.lattice.identity.v1.VerifyEmailRequest;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.inventory.v1.Product;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * The data set the driver seeds through the mesh's own RPCs, as a shop's users would create it:
 * several tenants, one of them a hundred times larger than each of the others, each with its
 * customers (registered, verified by the token identity sends, signed in) and its products (priced,
 * stocked), ordered with a skewed popularity (Zipf) among a tenant's products and customers.
 *
 * <p>Access tokens live 15 minutes, as identity issues them; the data set refreshes every token
 * that comes within 4 minutes of its expiry through RefreshToken, as a client library would.
 */
final class DataSet implements AutoCloseable {

  static final String CURRENCY = "EUR";
  static final String PASSWORD = "bench-Passw0rd-long-enough";
  private static final double ZIPF_EXPONENT = 1.1;

  /** How big the data set is. */
  record Size(int smallTenants, int customersPerSmall, int productsPerSmall, int bigFactor) {}

  /** A signed-in customer; its token is renewed in place. */
  static final class Customer {
    final String email;
    final String address;
    volatile String accessToken;
    volatile String refreshToken;
    volatile Instant expires;

    Customer(String email, String address, LoginResponse login) {
      this.email = email;
      this.address = address;
      renew(login);
    }

    void renew(LoginResponse login) {
      renew(login.getAccessToken(), login.getRefreshToken(), login.getExpiresIn());
    }

    void renew(String access, String refresh, int expiresInSeconds) {
      accessToken = access;
      refreshToken = refresh;
      expires = Instant.now().plusSeconds(expiresInSeconds);
    }
  }

  /** A tenant: its staff (the tenant's admin), customers and products. */
  static final class Tenant {
    final String slug;
    final boolean big;
    final Customer admin;
    final List<Customer> customers = new ArrayList<>();
    final List<Product> products = new ArrayList<>();
    private final ThreadLocal<SharedStateDiscreteSampler[]> samplers;

    Tenant(String slug, boolean big, Customer admin, int customers, int products) {
      this.slug = slug;
      this.big = big;
      this.admin = admin;
      this.samplers =
          ThreadLocal.withInitial(
              () -> {
                UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create();
                return new SharedStateDiscreteSampler[] {
                  RejectionInversionZipfSampler.of(rng, customers, ZIPF_EXPONENT),
                  RejectionInversionZipfSampler.of(rng, products, ZIPF_EXPONENT)
                };
              });
    }

    /** A customer, the most active ones most often. */
    Customer customer() {
      return customers.get(samplers.get()[0].sample() - 1);
    }

    /** A product, the popular ones most often. */
    Product product() {
      return products.get(samplers.get()[1].sample() - 1);
    }
  }

  final List<Tenant> tenants = new ArrayList<>();

  /** Every signed-in customer and admin, as soon as signed in: the refresher renews them all. */
  private final Queue<Customer> signedIn = new ConcurrentLinkedQueue<>();

  private final Map<String, String> verificationTokens = new ConcurrentHashMap<>();
  private final Map<String, String> resetTokens = new ConcurrentHashMap<>();
  private final Channels identity;
  private final Channels inventory;
  private final Dispatcher tokens;
  private final java.util.concurrent.ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("token-refresh").factory());

  private DataSet(Channels identity, Channels inventory, Connection nats) {
    this.identity = identity;
    this.inventory = inventory;
    // Identity's mails carry one-time tokens; a backend with the bus reads them from the events
    // that ask notifications to send them (the mail catcher receives every mail all the same).
    this.tokens =
        nats.createDispatcher(
            message -> {
              try {
                Envelope envelope = Envelope.parseFrom(message.getData());
                if (envelope.getPayload().is(EmailVerificationRequested.class)) {
                  var mail = envelope.getPayload().unpack(EmailVerificationRequested.class);
                  verificationTokens.put(mail.getEmail(), mail.getToken());
                } else if (envelope.getPayload().is(PasswordResetRequested.class)) {
                  var mail = envelope.getPayload().unpack(PasswordResetRequested.class);
                  resetTokens.put(mail.getEmail(), mail.getToken());
                }
              } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
              }
            });
    tokens.subscribe("lattice.identity.>");
  }

  /** Seeds the tenants, customers and products; prints progress. */
  static DataSet seed(Mesh mesh, Channels identity, Channels inventory, Connection nats, Size size)
      throws Exception {
    DataSet data = new DataSet(identity, inventory, nats);
    nats.flush(Duration.ofSeconds(5));
    long started = System.nanoTime();
    // Seeding is bound by Argon2id (a registration and a login per customer) and on a slow box
    // outlasts an access token: the tokens of those signed in first are renewed meanwhile.
    data.refresher.scheduleWithFixedDelay(data::refreshExpiring, 30, 30, TimeUnit.SECONDS);
    int address = 0;
    try (ExecutorService workers = Executors.newFixedThreadPool(8)) {
      for (int t = 0; t <= size.smallTenants(); t++) {
        boolean big = t == 0;
        String slug = big ? "bench-big" : "bench-small-" + t;
        int customers = size.customersPerSmall() * (big ? size.bigFactor() : 1);
        int products = size.productsPerSmall() * (big ? size.bigFactor() : 1);
        // Seeding a big tenant outlasts a token: the platform's admin signs in for each tenant.
        Customer platformAdmin =
            new Customer(
                mesh.adminEmail(),
                "10.255.255.254",
                data.login("platform", mesh.adminEmail(), mesh.adminPassword(), "10.255.255.254"));
        Customer admin = data.tenantAdmin(platformAdmin, slug);
        Tenant tenant = new Tenant(slug, big, admin, customers, products);
        List<Future<Customer>> signedUp = new ArrayList<>();
        for (int c = 0; c < customers; c++) {
          String email = "c" + c + "@" + slug + ".bench.test";
          String ip =
              "10." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255);
          address++;
          signedUp.add(workers.submit(() -> data.customer(slug, email, ip)));
        }
        List<Future<Product>> created = new ArrayList<>();
        for (int p = 0; p < products; p++) {
          int n = p;
          created.add(workers.submit(() -> data.product(admin, slug, n)));
        }
        for (Future<Customer> f : signedUp) {
          tenant.customers.add(f.get(10, TimeUnit.MINUTES));
        }
        for (Future<Product> f : created) {
          tenant.products.add(f.get(10, TimeUnit.MINUTES));
        }
        data.tenants.add(tenant);
        System.out.printf(
            "bench: tenant %s: %d customers, %d products (%.0f s)%n",
            slug, customers, products, (System.nanoTime() - started) / 1e9);
      }
    }
    return data;
  }

  int customerCount() {
    return tenants.stream().mapToInt(t -> t.customers.size()).sum();
  }

  int productCount() {
    return tenants.stream().mapToInt(t -> t.products.size()).sum();
  }

  Tenant big() {
    return tenants.get(0);
  }

  /** A tenant, chosen with a weight of its number of customers (the big one most often). */
  Tenant tenant() {
    int total = customerCount();
    int pick = ThreadLocalRandom.current().nextInt(total);
    for (Tenant t : tenants) {
      pick -= t.customers.size();
      if (pick < 0) {
        return t;
      }
    }
    return tenants.get(tenants.size() - 1);
  }

  /** A small tenant, chosen uniformly. */
  Tenant small() {
    return tenants.get(1 + ThreadLocalRandom.current().nextInt(tenants.size() - 1));
  }

  private IdentityServiceBlockingStub identity(String address) {
    return Channels.forwardedFor(IdentityServiceGrpc.newBlockingStub(identity.next()), address)
        .withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private LoginResponse login(String slug, String email, String password, String address) {
    return identity(address)
        .login(
            LoginRequest.newBuilder()
                .setTenantSlug(slug)
                .setEmail(email)
                .setPassword(password)
                .build());
  }

  /**
   * A new tenant {@code slug} and its admin, signed in (and kept signed in): the catalog bench's
   * staff.
   */
  Customer newTenantAdmin(Mesh mesh, String slug) throws InterruptedException {
    Customer platformAdmin =
        new Customer(
            mesh.adminEmail(),
            "10.255.255.253",
            login("platform", mesh.adminEmail(), mesh.adminPassword(), "10.255.255.253"));
    return tenantAdmin(platformAdmin, slug);
  }

  private Customer tenantAdmin(Customer platformAdmin, String slug) throws InterruptedException {
    String email = "owner@" + slug + ".bench.test";
    Channels.bearer(identity(platformAdmin.address), platformAdmin.accessToken)
        .createTenant(
            CreateTenantRequest.newBuilder()
                .setSlug(slug)
                .setDisplayName("Bench " + slug)
                .setInitialAdmin(
                    InitialAdmin.newBuilder().setEmail(email).setDisplayName("Owner of " + slug))
                .build());
    identity(platformAdmin.address)
        .resetPassword(
            ResetPasswordRequest.newBuilder()
                .setToken(await(resetTokens, email))
                .setNewPassword(PASSWORD)
                .build());
    return signedIn(
        new Customer(
            email, platformAdmin.address, login(slug, email, PASSWORD, platformAdmin.address)));
  }

  private Customer signedIn(Customer customer) {
    signedIn.add(customer);
    return customer;
  }

  private Customer customer(String slug, String email, String address) throws InterruptedException {
    identity(address)
        .register(
            RegisterRequest.newBuilder()
                .setTenantSlug(slug)
                .setEmail(email)
                .setPassword(PASSWORD)
                .setDisplayName("Customer " + email)
                .build());
    identity(address)
        .verifyEmail(
            VerifyEmailRequest.newBuilder().setToken(await(verificationTokens, email)).build());
    return signedIn(new Customer(email, address, login(slug, email, PASSWORD, address)));
  }

  private Product product(Customer admin, String slug, int n) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return Channels.bearer(
            InventoryServiceGrpc.newBlockingStub(inventory.next()), admin.accessToken)
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .createProduct(
            CreateProductRequest.newBuilder()
                .setSku(slug.toUpperCase(java.util.Locale.ROOT) + "-" + n)
                .setName("Product " + n + " of " + slug)
                .setDescription("A product of the bench's catalogue")
                .setPriceAmountMinor(100 + random.nextInt(50_000))
                .setCurrency(CURRENCY)
                .setInitialStock(100_000_000L)
                .build())
        .getProduct();
  }

  private static String await(Map<String, String> tokens, String email)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String token;
    while ((token = tokens.remove(email)) == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no one-time token for " + email + " within 60 s");
      }
      Thread.sleep(10);
    }
    return token;
  }

  private void refreshExpiring() {
    Instant soon = Instant.now().plus(Duration.ofMinutes(4));
    for (Customer c : signedIn) {
      if (c.expires.isBefore(soon)) {
        try {
          var renewed =
              identity(c.address)
                  .refreshToken(
                      RefreshTokenRequest.newBuilder().setRefreshToken(c.refreshToken).build());
          c.renew(renewed.getAccessToken(), renewed.getRefreshToken(), renewed.getExpiresIn());
        } catch (RuntimeException e) {
          System.err.printf("bench: refreshing %s's token failed: %s%n", c.email, e);
        }
      }
    }
  }

  @Override
  public void close() {
    refresher.shutdownNow();
  }
}
