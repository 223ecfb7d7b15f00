package dev.lattice.identity.accounts;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
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
import java.util.Set;

/**
 * Who is on the other end of a call, as far as the network tells: the client address (the peer,
 * or the right-most {@code x-forwarded-for} hop a trusted proxy appended) and the user agent.
 * Identity throttles by this address and records it on sessions and events.
 *
 * @param address the client's IP address in canonical text form
 * @param userAgent the {@code user-agent} metadata, at most 256 characters; empty when absent
 */
public record Caller(String address, String userAgent) {

  private static final Context.Key<Caller> KEY = Context.key("lattice.identity.caller");
  private static final Metadata.Key<String> FORWARDED_FOR =
      Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> USER_AGENT =
      Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Caller UNKNOWN = new Caller("0.0.0.0", "");

  /** The caller of the current call (an unknown address outside a call). */
  public static Caller current() {
    Caller caller = KEY.get();
    return caller == null ? UNKNOWN : caller;
  }

  /** An actor of type USER with this caller's address, for events. */
  public Actor actor(String subjectId) {
    return Actor.newBuilder()
        .setType(ActorType.ACTOR_TYPE_USER)
        .setSubjectId(subjectId)
        .setClientAddress(address)
        .setUserAgent(userAgent)
        .build();
  }

  /**
   * The server interceptor that records the caller of every call.
   *
   * @param trustedProxies addresses of proxies (Envoy) whose {@code x-forwarded-for} is believed
   */
  public static ServerInterceptor interceptor(Set<String> trustedProxies) {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String peer = peerAddress(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        String address = peer;
        String forwarded = headers.get(FORWARDED_FOR);
        if (forwarded != null && trustedProxies.contains(peer)) {
          String[] hops = forwarded.split(",");
          for (int i = hops.length - 1; i >= 0; i--) {
            String hop = canonical(hops[i].strip());
            if (hop != null && !trustedProxies.contains(hop)) {
              address = hop;
              break;
            }
          }
        }
        String agent = headers.get(USER_AGENT);
        agent = agent == null ? "" : agent.length() > 256 ? agent.substring(0, 256) : agent;
        Context context = Context.current().withValue(KEY, new Caller(address, agent));
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
  private static String canonical(String text) {
    if (text.isEmpty() || !text.matches("[0-9a-fA-F:.]+")) {
      return null;
    }
    try {
      // An IP literal (checked above): getByName parses it without a DNS query.
      return InetAddress.getByName(text).getHostAddress();
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }
}
