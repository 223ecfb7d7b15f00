package dev.lattice.notifications.delivery;

import com.google.protobuf.Timestamp;
import dev.lattice.notifications.channels.ChannelNames;
import dev.lattice.notifications.v1.Channel;
import dev.lattice.notifications.v1.DeliveryStatus;
import dev.lattice.notifications.v1.ListDeliveriesRequest;
import dev.lattice.notifications.v1.ListDeliveriesResponse;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * ListDeliveries: the tenant's deliveries newest first, keyset on (create_time, id), for support
 * and operations; FAILED ones are the dead letters of delivery. Shows the destination hint, never
 * the address or the text. Its SQL is in {@link DeliveryStore}. Thread-safe.
 */
public final class DeliveryLog {

  private static final String STATUS_PREFIX = "DELIVERY_STATUS_";

  private final DeliveryStore store = new DeliveryStore();
  private final DSLContext dsl;
  private final PageTokens pageTokens;

  public DeliveryLog(DSLContext dsl, PageTokens pageTokens) {
    this.dsl = dsl;
    this.pageTokens = pageTokens;
  }

  /** One page of {@code tenantId}'s deliveries matching {@code request}. */
  public ListDeliveriesResponse list(UUID tenantId, ListDeliveriesRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    String fingerprint =
        PageTokens.fingerprint(
            "deliveries",
            tenantId,
            request.getStatus().getNumber(),
            request.getRecipientId(),
            request.getChannel().getNumber(),
            request.getSourceEventId());
    DeliveryFilter filter =
        new DeliveryFilter(
            tenantId,
            request.getStatus() == DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED
                ? Optional.empty()
                : Optional.of(request.getStatus().name().substring(STATUS_PREFIX.length())),
            Optional.of(request.getRecipientId()).filter(id -> !id.isEmpty()).map(UUID::fromString),
            request.getChannel() == Channel.CHANNEL_UNSPECIFIED
                ? Optional.empty()
                : Optional.of(ChannelNames.name(request.getChannel())),
            Optional.of(request.getSourceEventId())
                .filter(id -> !id.isEmpty())
                .map(UUID::fromString),
            pageTokens
                .decode(request.getPageToken(), fingerprint)
                .map(
                    cursor ->
                        new DeliveryFilter.After(
                            OffsetDateTime.ofInstant(cursor.instant(0), ZoneOffset.UTC),
                            UUID.fromString(cursor.string(1)))));
    List<Delivery> rows =
        Transactions.inTenantTransaction(dsl, tenantId, tx -> store.page(tx, filter, size + 1));
    ListDeliveriesResponse.Builder response = ListDeliveriesResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addDeliveries(toProto(rows.get(i)));
    }
    if (rows.size() > size) {
      Delivery last = rows.get(size - 1);
      response.setNextPageToken(
          pageTokens.encode(
              PageCursor.of(fingerprint, last.createTime().toInstant(), last.id().toString())));
    }
    return response.build();
  }

  private static dev.lattice.notifications.v1.Delivery toProto(Delivery row) {
    dev.lattice.notifications.v1.Delivery.Builder out =
        dev.lattice.notifications.v1.Delivery.newBuilder()
            .setId(row.id().toString())
            .setRecipientId(row.recipientId().toString())
            .setChannel(ChannelNames.of(row.channel()))
            .setTemplateKey(row.templateKey())
            .setLocale(row.locale())
            .setDestinationHint(row.destinationHint())
            .setSourceEventId(row.sourceEventId().toString())
            .setSourceEventType(row.sourceEventType())
            .setStatus(DeliveryStatus.valueOf(STATUS_PREFIX + row.status()))
            .setAttemptCount(row.attemptCount())
            .setLastErrorCode(row.lastErrorCode())
            .setLastErrorMessage(row.lastErrorMessage())
            .setCreateTime(timestamp(row.createTime()))
            .setUpdateTime(timestamp(row.updateTime()));
    if (row.providerMessageId() != null) {
      out.setProviderMessageId(row.providerMessageId());
    }
    if (row.notificationId() != null) {
      out.setNotificationId(row.notificationId().toString());
    }
    if (row.sentTime() != null) {
      out.setSentTime(timestamp(row.sentTime()));
    }
    if (DeliveryStatuses.RETRYING.equals(row.status()) && row.nextAttemptTime() != null) {
      out.setNextAttemptTime(timestamp(row.nextAttemptTime()));
    }
    return out.build();
  }

  private static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
  }
}
