package dev.lattice.platform.grpc;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.platform.config.Env;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is on the other end of a call, as far as the network tells: the client address (the peer, or
 * the right-most {@code x-forwarded-for} hop that is not a trusted proxy, when the peer is a
 * trusted proxy) and the user agent. {@link LatticeServer} records it for every call of every
 * application service, before authentication; the outbox copies it into {@code Envelope.actor}.
 *
 * @param address the client's IP address in canonical text form
 * @param userAgent the {@code user-agent} metadata, at most {@value #MAX_USER_AGENT} characters;
 *     empty when absent
 */
public record Caller(String address, String userAgent) {

  /** The longest user agent kept, characters (the audit log's column limit). */
  public static final int MAX_USER_AGENT = 256;

  /** Comma-separated IP addresses of the proxies (Envoy) whose {@code x-forwarded-for} counts. */
  public static final String TRUSTED_PROXIES_ENV = "LATTICE_TRUSTED_PROXIES";

  private static final Context.Key<Caller> KEY = Context.key("lattice-caller");
  private static final Metadata.Key<String> FORWARDED_FOR =
      Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> USER_AGENT =
      Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Caller UNKNOWN = new Caller("0.0.0.0", "");

  /** The caller of the current call; an unknown address ({@code 0.0.0.0}) outside a call. */
  public static Caller current() {
    return find().orElse(UNKNOWN);
  }

  /** The caller of the current call; empty outside calls. */
  public static Optional<Caller> find() {
    return Optional.ofNullable(KEY.get());
  }

  /** An actor of type USER with this caller's address and user agent, for events. */
  public Actor actor(String subjectId) {
    return Actor.newBuilder()
        .setType(ActorType.ACTOR_TYPE_USER)
        .setSubjectId(subjectId)
        .setClientAddress(address)
        .setUserAgent(userAgent)
        .build();
  }

  /** {@code context} with this caller attached, for code that runs as a caller outside a call. */
  public Context bind(Context context) {
    return context.withValue(KEY, this);
  }

  /** The trusted proxies of {@value #TRUSTED_PROXIES_ENV} (empty when unset). */
  public static Set<String> trustedProxies(Env env) {
    return Arrays.stream(env.string(TRUSTED_PROXIES_ENV, "").split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(s -> Optional.ofNullable(canonical(s)).orElse(s))
        .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * The server interceptor that records the caller of every call.
   *
   * @param trustedProxies addresses of proxies (Envoy) whose {@code x-forwarded-for} is believed
   */
  public static ServerInterceptor interceptor(Set<String> trustedProxies) {
    Set<String> trusted = Set.copyOf(trustedProxies);
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String peer = peerAddress(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        String address = peer;
        String forwarded = headers.get(FORWARDED_FOR);
        if (forwarded != null && trusted.contains(peer)) {
          String[] hops = forwarded.split(",");
          for (int i = hops.length - 1; i >= 0; i--) {
            String hop = canonical(hops[i].strip());
            if (hop != null && !trusted.contains(hop)) {
              address = hop;
              break;
            }
          }
        }
        String agent = headers.get(USER_AGENT);
        agent =
            agent == null
                ? ""
                : agent.length() > MAX_USER_AGENT ? agent.substring(0, MAX_USER_AGENT) : agent;
        Context context = new Caller(address, agent).bind(Context.current());
        return Contexts.interceptCall(context, call, headers, next);
      }
    };
  }

  private static String peerAddress(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return UNKNOWN.address();
  }

  /** The canonical form of an IP literal, or null when {@code text} is not one (no DNS). */
  static String canonical(String text) {
    if (text.isEmpty() || !text.matches("[0-9a-fA-F:.]+")) {
      return null;
    }
    try {
      // An IP literal (checked above): getByName parses it without a DNS query.
      return InetAddress.getByName(text).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
