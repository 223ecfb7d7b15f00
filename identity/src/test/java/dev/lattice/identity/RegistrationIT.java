package dev.lattice.identity;

import static dev.lattice.identity.IdentityHarness.code;
import static dev.lattice.identity.IdentityHarness.detail;
import static dev.lattice.identity.IdentityHarness.failure;
import static dev.lattice.identity.IdentityHarness.reason;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.BadRequest;
import dev.lattice.identity.password.PasswordHasher;
import dev.lattice.identity.password.PasswordPolicy;
import dev.lattice.identity.v1.AccountExistsNotified;
import dev.lattice.identity.v1.GetMeRequest;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.RegisterRequest;
import dev.lattice.identity.v1.RegisterResponse;
import dev.lattice.identity.v1.UserRegistered;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2StreamFrame;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import io.grpc.stub.MetadataUtils;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Register: one account per address under concurrency, Argon2id parameters, password policy, input
 * checks.
 */
class RegistrationIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static IdentityHarness identity;
  static Mailbox mailbox;

  @BeforeAll
  static void start() throws Exception {
    mailbox = Mailbox.open(nats.url());
    identity =
        IdentityHarness.start(
            postgres,
            nats,
            Map.of(
                "LATTICE_IDENTITY_THROTTLE_REGISTER_ADDRESS", "100000/10m",
                "LATTICE_IDENTITY_THROTTLE_REGISTER_ACCOUNT", "100000/10m"));
  }

  @AfterAll
  static void stop() throws Exception {
    identity.close();
    mailbox.close();
  }

  private static RegisterRequest registration(String email, String password) {
    return RegisterRequest.newBuilder()
        .setTenantSlug("platform")
        .setEmail(email)
        .setPassword(password)
        .setDisplayName("Bob")
        .build();
  }

  private static long users(String normalizedEmail) {
    return identity.sqlLong(
        "select count(*) from users where email_normalized = ?", normalizedEmail);
  }

  @Test
  void fiftyConcurrentRegistrationsOfOneAddressCreateOneUser() throws Exception {
    int callers = 50;
    String[] variants = {"Bob@x.test", "bob@X.TEST", "BOB@x.Test", "bob@x.test", "bOb@X.tEsT"};
    CountDownLatch ready = new CountDownLatch(callers);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<RegisterResponse>> answers = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < callers; i++) {
        RegisterRequest request =
            registration(variants[i % variants.length], "a long passphrase 1234");
        answers.add(
            threads.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return identity.stub().withDeadlineAfter(60, TimeUnit.SECONDS).register(request);
                }));
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      for (Future<RegisterResponse> answer : answers) {
        RegisterResponse response = answer.get(90, TimeUnit.SECONDS);
        assertThat(response).isEqualTo(RegisterResponse.getDefaultInstance());
        assertThat(response.toByteArray()).isEmpty();
      }
    }

    assertThat(users("bob@x.test")).isEqualTo(1);
    String userId = identity.userId("bob@x.test").toString();
    // Each call emits exactly one of the two events: 50 in all, one of them the registration.
    mailbox.awaitCount(UserRegistered.class, e -> e.getEmail().equals("bob@x.test"), 1);
    mailbox.awaitCount(
        AccountExistsNotified.class, e -> e.getEmail().equals("bob@x.test"), callers - 1);
    awaitOutboxDrained();
    mailbox.flush();
    assertThat(mailbox.all(UserRegistered.class, e -> e.getEmail().equals("bob@x.test")))
        .singleElement()
        .satisfies(e -> assertThat(e.getUserId()).isEqualTo(userId));
    assertThat(mailbox.all(AccountExistsNotified.class, e -> e.getEmail().equals("bob@x.test")))
        .hasSize(callers - 1)
        .allSatisfy(e -> assertThat(e.getUserId()).isEqualTo(userId));
  }

  @Test
  void storedHashIsArgon2idWithAtLeastOwaspParameters() {
    identity.register("hash@x.test", "a long passphrase 1234");
    String hash =
        (String)
            identity.sqlValue(
                "select password_hash from users where email_normalized = ?", "hash@x.test");
    assertThat(hash).startsWith("$argon2id$v=19$");
    PasswordHasher.HashPolicy parameters = PasswordHasher.parametersOf(hash);
    assertThat(parameters.memoryKib()).isGreaterThanOrEqualTo(19_456);
    assertThat(parameters.iterations()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void weakerHashIsUpgradedAtLogin() {
    String password = "rehash me at login 77";
    identity.registerVerified(mailbox, "rehash@x.test", password);
    String weak = new PasswordHasher(new PasswordHasher.HashPolicy(4096, 1, 1), 1).hash(password);
    assertThat(
            identity.sqlUpdate(
                "update users set password_hash = ? where email_normalized = ?",
                weak,
                "rehash@x.test"))
        .isEqualTo(1);

    identity.login("rehash@x.test", password);

    String upgraded =
        (String)
            identity.sqlValue(
                "select password_hash from users where email_normalized = ?", "rehash@x.test");
    assertThat(upgraded).isNotEqualTo(weak).startsWith("$argon2id$v=19$");
    assertThat(PasswordHasher.parametersOf(upgraded))
        .isEqualTo(new PasswordHasher.HashPolicy(19_456, 2, 1));
    assertThat(new PasswordHasher(PasswordHasher.OWASP_MINIMUM, 1).matches(password, upgraded))
        .isTrue();
    assertThat(identity.login("rehash@x.test", password).getAccessToken()).isNotEmpty();
  }

  @Test
  void passwordPolicyRefusesCommonShortAndLongPasswords() throws Exception {
    String listed = firstListedPasswordOfAtLeast12Characters();
    long before = identity.sqlLong("select count(*) from users");

    for (String common : List.of("passwordpassword", listed, "PasswordPassword")) {
      StatusRuntimeException e =
          failure(() -> identity.stub().register(registration("weak@x.test", common)));
      assertThat(code(e)).as(common).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(reason(e)).as(common).isEqualTo(PasswordPolicy.PASSWORD_TOO_WEAK);
      assertThat(detail(e, BadRequest.class))
          .get()
          .satisfies(
              b ->
                  assertThat(b.getFieldViolationsList())
                      .extracting(v -> v.getField())
                      .containsExactly("password"));
    }
    for (String length : List.of("x".repeat(11), "x".repeat(129))) {
      StatusRuntimeException e =
          failure(() -> identity.stub().register(registration("weak@x.test", length)));
      assertThat(code(e)).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(detail(e, BadRequest.class))
          .get()
          .satisfies(
              b ->
                  assertThat(b.getFieldViolationsList())
                      .extracting(v -> v.getField())
                      .containsExactly("password"));
    }

    assertThat(identity.sqlLong("select count(*) from users")).isEqualTo(before);
    assertThat(users("weak@x.test")).isZero();
  }

  @Test
  void badInputIsRefusedAndWritesNothing() {
    RegisterRequest valid = registration("input@x.test", "a long passphrase 1234");
    record Bad(String what, String field, RegisterRequest request) {}
    List<Bad> bad =
        List.of(
            new Bad("malformed email", "email", valid.toBuilder().setEmail("not-an-email").build()),
            new Bad(
                "10 KB password",
                "password",
                valid.toBuilder().setPassword("p".repeat(10 * 1024)).build()),
            new Bad(
                "NUL in display name",
                "display_name",
                valid.toBuilder().setDisplayName("a\u0000b").build()),
            new Bad(
                "NUL in password",
                "password",
                valid.toBuilder().setPassword("a long pass\u0000phrase 1234").build()));

    long users = identity.sqlLong("select count(*) from users");
    long tokens = identity.sqlLong("select count(*) from one_time_tokens");
    long outbox = outboxInserts();

    for (Bad b : bad) {
      StatusRuntimeException e = failure(() -> identity.stub().register(b.request()));
      assertThat(code(e)).as(b.what()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(detail(e, BadRequest.class))
          .as(b.what())
          .get()
          .satisfies(
              r ->
                  assertThat(r.getFieldViolationsList())
                      .extracting(v -> v.getField())
                      .contains(b.field()));
    }

    assertThat(identity.sqlLong("select count(*) from users")).isEqualTo(users);
    assertThat(identity.sqlLong("select count(*) from one_time_tokens")).isEqualTo(tokens);
    assertThat(outboxInserts()).isEqualTo(outbox);
    assertThat(users("input@x.test")).isZero();
  }

  /** The raw bytes 0xC3 0x28: not UTF-8, and not printable ASCII either. */
  private static final byte[] INVALID_UTF8 = {(byte) 0xC3, (byte) 0x28};

  @Test
  void invalidUtf8InMetadataFromGrpcJavaIsDroppedByTheClientTransport() {
    Metadata.Key<byte[]> authorization =
        InternalMetadata.keyOf(
            "authorization",
            new InternalMetadata.TrustedAsciiMarshaller<byte[]>() {
              @Override
              public byte[] toAsciiString(byte[] value) {
                return value;
              }

              @Override
              public byte[] parseAsciiString(byte[] serialized) {
                return serialized;
              }
            });
    Metadata headers = new Metadata();
    headers.put(authorization, INVALID_UTF8);

    StatusRuntimeException e =
        failure(
            () ->
                IdentityServiceGrpc.newBlockingStub(identity.channel())
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getMe(GetMeRequest.getDefaultInstance()));

    // grpc-java's client transport (TransportFrameUtil.toHttp2Headers) drops a non-binary header
    // whose value is not spec-compliant ASCII, with a warning: the server sees no token at all.
    assertThat(code(e)).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(reason(e)).isEqualTo("TOKEN_MISSING");
  }

  @Test
  void invalidUtf8InMetadataOnTheWireIsInvalidArgument() throws Exception {
    RawHttp2.Answer answer =
        RawHttp2.call(
            identity.port(),
            "/lattice.identity.v1.IdentityService/GetMe",
            "authorization",
            INVALID_UTF8);

    assertThat(answer.grpcStatus()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    com.google.rpc.Status status = answer.details();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
    assertThat(status.getDetailsList())
        .anySatisfy(
            any -> {
              assertThat(any.is(com.google.rpc.ErrorInfo.class)).isTrue();
              assertThat(any.unpack(com.google.rpc.ErrorInfo.class).getReason())
                  .isEqualTo("INVALID_METADATA");
            });
    assertThat(status.getDetailsList())
        .anySatisfy(
            any -> {
              assertThat(any.is(BadRequest.class)).isTrue();
              assertThat(any.unpack(BadRequest.class).getFieldViolationsList())
                  .extracting(v -> v.getField())
                  .containsExactly("metadata.authorization");
            });
  }

  /**
   * A bare HTTP/2 (prior knowledge) client that sends one gRPC call with an empty request message
   * and one extra header as raw bytes, which grpc-java's own client would not put on the wire.
   */
  private static final class RawHttp2 {

    record Answer(int grpcStatus, com.google.rpc.Status details) {}

    static Answer call(int port, String path, String headerName, byte[] headerValue)
        throws Exception {
      EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      try {
        io.grpc.netty.shaded.io.netty.channel.Channel parent =
            new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(
                    new ChannelInitializer<SocketChannel>() {
                      @Override
                      protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                            .addLast(
                                Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                      }
                    })
                .connect("127.0.0.1", port)
                .sync()
                .channel();
        java.util.concurrent.CompletableFuture<Http2Headers> trailers =
            new java.util.concurrent.CompletableFuture<>();
        Http2StreamChannel stream =
            new Http2StreamChannelBootstrap(parent)
                .handler(
                    new SimpleChannelInboundHandler<Http2StreamFrame>() {
                      @Override
                      protected void channelRead0(
                          ChannelHandlerContext ctx, Http2StreamFrame frame) {
                        if (frame instanceof Http2HeadersFrame headers && headers.isEndStream()) {
                          trailers.complete(headers.headers());
                        } else if (frame instanceof Http2DataFrame data && data.isEndStream()) {
                          trailers.completeExceptionally(
                              new AssertionError("the stream ended without trailers"));
                        }
                      }

                      @Override
                      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        trailers.completeExceptionally(cause);
                      }
                    })
                .open()
                .sync()
                .getNow();
        Http2Headers headers =
            new DefaultHttp2Headers(false)
                .method("POST")
                .scheme("http")
                .path(path)
                .authority("127.0.0.1:" + port)
                .add("content-type", "application/grpc")
                .add("te", "trailers")
                .add(AsciiString.of(headerName), new AsciiString(headerValue));
        stream.write(new DefaultHttp2HeadersFrame(headers, false));
        // One gRPC message: not compressed, length 0 (an empty GetMeRequest).
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[5]), true));
        Http2Headers received = trailers.get(10, TimeUnit.SECONDS);
        parent.close().sync();
        CharSequence grpcStatus = received.get("grpc-status");
        CharSequence details = received.get("grpc-status-details-bin");
        assertThat(grpcStatus).as("grpc-status in %s", received).isNotNull();
        assertThat(details).as("grpc-status-details-bin in %s", received).isNotNull();
        return new Answer(
            Integer.parseInt(grpcStatus.toString()),
            com.google.rpc.Status.parseFrom(
                java.util.Base64.getDecoder().decode(details.toString())));
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      }
    }
  }

  @Test
  void existingAddressAnswersExactlyLikeANewOne() throws Exception {
    identity.register("taken@x.test", "a long passphrase 1234");

    Answer fresh = registerCapturing(registration("fresh@x.test", "another passphrase 99"));
    Answer taken = registerCapturing(registration("Taken@X.test", "another passphrase 99"));

    assertThat(fresh.status()).isEqualTo(Status.Code.OK);
    assertThat(taken.status()).isEqualTo(fresh.status());
    assertThat(taken.body()).isEqualTo(fresh.body());
    assertThat(taken.headerKeys()).isEqualTo(fresh.headerKeys());
    assertThat(taken.trailerKeys()).isEqualTo(fresh.trailerKeys());
    assertThat(users("taken@x.test")).isEqualTo(1);
    assertThat(users("fresh@x.test")).isEqualTo(1);
  }

  private record Answer(
      Status.Code status, byte[] body, Set<String> headerKeys, Set<String> trailerKeys) {}

  private static Answer registerCapturing(RegisterRequest request) {
    Set<String> headerKeys = new TreeSet<>();
    Set<String> trailerKeys = new TreeSet<>();
    ClientInterceptor capture =
        new ClientInterceptor() {
          @Override
          public <Q, R> ClientCall<Q, R> interceptCall(
              MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(
                next.newCall(method, options)) {
              @Override
              public void start(Listener<R> listener, Metadata headers) {
                super.start(
                    new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(
                        listener) {
                      @Override
                      public void onHeaders(Metadata received) {
                        headerKeys.addAll(received.keys());
                        super.onHeaders(received);
                      }

                      @Override
                      public void onClose(Status status, Metadata trailers) {
                        trailerKeys.addAll(trailers.keys());
                        super.onClose(status, trailers);
                      }
                    },
                    headers);
              }
            };
          }
        };
    try {
      RegisterResponse response = identity.stub().withInterceptors(capture).register(request);
      return new Answer(Status.Code.OK, response.toByteArray(), headerKeys, trailerKeys);
    } catch (StatusRuntimeException e) {
      return new Answer(e.getStatus().getCode(), null, headerKeys, trailerKeys);
    }
  }

  /**
   * How many rows were ever inserted into the outbox (its identity sequence; rows are deleted once
   * relayed).
   */
  private static long outboxInserts() {
    Object value =
        identity.sqlValue(
            "select pg_sequence_last_value(pg_get_serial_sequence('outbox_events', 'id'))");
    return value == null ? 0 : ((Number) value).longValue();
  }

  private static void awaitOutboxDrained() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (identity.sqlLong("select count(*) from outbox_events") > 0) {
      assertThat(System.nanoTime()).as("outbox drained within 10 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static String firstListedPasswordOfAtLeast12Characters() throws Exception {
    try (InputStream in = PasswordPolicy.class.getResourceAsStream("/dictionaries/passwords.txt")) {
      assertThat(in).isNotNull();
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String word = line.strip();
        if (word.length() >= 12
            && word.length() <= 128
            && word.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
          return word;
        }
      }
    }
    throw new AssertionError("no listed password of 12 characters or more");
  }
}
