package dev.lattice.platform.outbox;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.platform.auth.Principal;
import dev.lattice.platform.grpc.Caller;
import java.util.Optional;

/**
 * The actor of an event written during a gRPC call: the authenticated user ({@link Principal}) with
 * the client address and user agent the platform recorded for the call ({@link Caller}). Stateless.
 */
final class CallActors {

  private CallActors() {}

  /**
   * The actor to put in the envelope.
   *
   * <ul>
   *   <li>No actor set (the default instance): a USER actor of the current call's principal with
   *       the call's client address and user agent.
   *   <li>A USER actor of the current call's principal without client address and user agent: the
   *       same actor with the call's.
   *   <li>Anything else: {@code actor} as given.
   * </ul>
   *
   * @throws IllegalArgumentException when no actor is set and no authenticated call is current
   */
  static Actor resolve(Actor actor) {
    Optional<Principal> principal = Principal.current();
    if (actor.equals(Actor.getDefaultInstance())) {
      Principal user =
          principal.orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "an event written outside an authenticated call must name its actor"));
      return Caller.current().actor(user.subject());
    }
    boolean sameUser =
        actor.getType() == ActorType.ACTOR_TYPE_USER
            && principal.map(p -> p.subject().equals(actor.getSubjectId())).orElse(false);
    if (sameUser && actor.getClientAddress().isEmpty() && actor.getUserAgent().isEmpty()) {
      Caller caller = Caller.current();
      return actor.toBuilder()
          .setClientAddress(caller.address())
          .setUserAgent(caller.userAgent())
          .build();
    }
    return actor;
  }
}
