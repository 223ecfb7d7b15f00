package dev.lattice.platform.outbox;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What a service tells {@link OutboxWriter} about one event; the writer adds the event id, source,
 * subject and trace context. Immutable.
 *
 * @param tenantId the tenant the event belongs to
 * @param aggregateType kind of aggregate, lower snake case ({@code order}, {@code signing_key})
 * @param aggregateId id of the aggregate, non-blank
 * @param aggregateVersion the aggregate's version after this change, at least 1
 * @param actor who caused the event; the default instance (nothing set) means "the caller of the
 *     current gRPC call", which {@link OutboxWriter} fills in; otherwise its type must not be
 *     {@code ACTOR_TYPE_UNSPECIFIED}
 * @param payload the event message, e.g. {@code OrderCreated}
 * @param occurredAt when the change happened; empty: the writer's clock at {@code append}
 * @param causationId the event id whose handling produced this event; empty when caused by an RPC
 *     or a timer
 */
public record OutboxEvent(
    UUID tenantId,
    String aggregateType,
    String aggregateId,
    long aggregateVersion,
    Actor actor,
    Message payload,
    Optional<Instant> occurredAt,
    Optional<String> causationId) {

  private static final Pattern SNAKE = Pattern.compile("[a-z][a-z0-9_]*");

  /** Checks the values. */
  public OutboxEvent {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(aggregateType, "aggregateType");
    Objects.requireNonNull(aggregateId, "aggregateId");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(causationId, "causationId");
    if (!SNAKE.matcher(aggregateType).matches()) {
      throw new IllegalArgumentException(
          "aggregateType must be lower snake case: " + aggregateType);
    }
    if (aggregateId.isBlank()) {
      throw new IllegalArgumentException("aggregateId must not be blank");
    }
    if (aggregateVersion < 1) {
      throw new IllegalArgumentException(
          "aggregateVersion must be at least 1: " + aggregateVersion);
    }
    if (actor.getType() == ActorType.ACTOR_TYPE_UNSPECIFIED
        && !actor.equals(Actor.getDefaultInstance())) {
      throw new IllegalArgumentException("actor type must be set");
    }
  }

  /**
   * A builder; every field but {@code actor}, {@code occurredAt} and {@code causationId} is
   * required. Without an actor the event is attributed to the caller of the current call.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link OutboxEvent}; not thread-safe. */
  public static final class Builder {
    private UUID tenantId;
    private String aggregateType;
    private String aggregateId;
    private long aggregateVersion;
    private Actor actor = Actor.getDefaultInstance();
    private Message payload;
    private Instant occurredAt;
    private String causationId;

    private Builder() {}

    public Builder tenantId(UUID tenantId) {
      this.tenantId = tenantId;
      return this;
    }

    /** The aggregate the event is about and its version after the change. */
    public Builder aggregate(String type, String id, long version) {
      this.aggregateType = type;
      this.aggregateId = id;
      this.aggregateVersion = version;
      return this;
    }

    public Builder actor(Actor actor) {
      this.actor = actor;
      return this;
    }

    public Builder payload(Message payload) {
      this.payload = payload;
      return this;
    }

    public Builder occurredAt(Instant occurredAt) {
      this.occurredAt = occurredAt;
      return this;
    }

    public Builder causationId(String causationId) {
      this.causationId = causationId == null || causationId.isEmpty() ? null : causationId;
      return this;
    }

    /**
     * The event.
     *
     * @throws NullPointerException or IllegalArgumentException naming a missing or invalid field
     */
    public OutboxEvent build() {
      return new OutboxEvent(
          tenantId,
          aggregateType,
          aggregateId,
          aggregateVersion,
          actor,
          payload,
          Optional.ofNullable(occurredAt),
          Optional.ofNullable(causationId));
    }
  }
}
