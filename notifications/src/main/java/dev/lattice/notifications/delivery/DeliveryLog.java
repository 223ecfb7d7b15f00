package dev.lattice.notifications.delivery;

import static dev.lattice.notifications.store.jooq.Tables.DELIVERIES;

import com.google.protobuf.Timestamp;
import dev.lattice.notifications.channels.ChannelNames;
import dev.lattice.notifications.store.jooq.tables.records.DeliveriesRecord;
import dev.lattice.notifications.v1.Channel;
import dev.lattice.notifications.v1.Delivery;
import dev.lattice.notifications.v1.DeliveryStatus;
import dev.lattice.notifications.v1.ListDeliveriesRequest;
import dev.lattice.notifications.v1.ListDeliveriesResponse;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * ListDeliveries: the tenant's deliveries newest first, keyset on (create_time, id), for support
 * and operations; FAILED ones are the dead letters of delivery. Shows the destination hint, never
 * the address or the text. Thread-safe.
 */
public final class DeliveryLog {

  private static final String STATUS_PREFIX = "DELIVERY_STATUS_";

  private final DSLContext dsl;
  private final PageTokens pageTokens;

  public DeliveryLog(DSLContext dsl, PageTokens pageTokens) {
    this.dsl = dsl;
    this.pageTokens = pageTokens;
  }

  /** One page of {@code tenantId}'s deliveries matching {@code request}. */
  public ListDeliveriesResponse list(UUID tenantId, ListDeliveriesRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    String fingerprint = PageTokens.fingerprint("deliveries", tenantId, request.getStatus().getNumber(),
        request.getRecipientId(), request.getChannel().getNumber(), request.getSourceEventId());
    List<Condition> where = new ArrayList<>();
    where.add(DELIVERIES.TENANT_ID.eq(tenantId));
    if (request.getStatus() != DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED) {
      where.add(DELIVERIES.STATUS.eq(request.getStatus().name().substring(STATUS_PREFIX.length())));
    }
    if (!request.getRecipientId().isEmpty()) {
      where.add(DELIVERIES.RECIPIENT_ID.eq(UUID.fromString(request.getRecipientId())));
    }
    if (request.getChannel() != Channel.CHANNEL_UNSPECIFIED) {
      where.add(DELIVERIES.CHANNEL.eq(ChannelNames.name(request.getChannel())));
    }
    if (!request.getSourceEventId().isEmpty()) {
      where.add(DELIVERIES.SOURCE_EVENT_ID.eq(UUID.fromString(request.getSourceEventId())));
    }
    pageTokens.decode(request.getPageToken(), fingerprint).ifPresent(cursor -> where.add(
        DSL.row(DELIVERIES.CREATE_TIME, DELIVERIES.ID).lt(
            OffsetDateTime.ofInstant(cursor.instant(0), ZoneOffset.UTC), UUID.fromString(cursor.string(1)))));
    List<DeliveriesRecord> rows = dsl.selectFrom(DELIVERIES)
        .where(where)
        .orderBy(DELIVERIES.CREATE_TIME.desc(), DELIVERIES.ID.desc())
        .limit(size + 1)
        .fetch();
    ListDeliveriesResponse.Builder response = ListDeliveriesResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addDeliveries(toProto(rows.get(i)));
    }
    if (rows.size() > size) {
      DeliveriesRecord last = rows.get(size - 1);
      response.setNextPageToken(pageTokens.encode(
          PageCursor.of(fingerprint, last.getCreateTime().toInstant(), last.getId().toString())));
    }
    return response.build();
  }

  private static Delivery toProto(DeliveriesRecord row) {
    Delivery.Builder out = Delivery.newBuilder()
        .setId(row.getId().toString())
        .setRecipientId(row.getRecipientId().toString())
        .setChannel(ChannelNames.of(row.getChannel()))
        .setTemplateKey(row.getTemplateKey())
        .setLocale(row.getLocale())
        .setDestinationHint(row.getDestinationHint())
        .setSourceEventId(row.getSourceEventId().toString())
        .setSourceEventType(row.getSourceEventType())
        .setStatus(DeliveryStatus.valueOf(STATUS_PREFIX + row.getStatus()))
        .setAttemptCount(row.getAttemptCount())
        .setLastErrorCode(row.getLastErrorCode())
        .setLastErrorMessage(row.getLastErrorMessage())
        .setCreateTime(timestamp(row.getCreateTime()))
        .setUpdateTime(timestamp(row.getUpdateTime()));
    if (row.getProviderMessageId() != null) {
      out.setProviderMessageId(row.getProviderMessageId());
    }
    if (row.getNotificationId() != null) {
      out.setNotificationId(row.getNotificationId().toString());
    }
    if (row.getSentTime() != null) {
      out.setSentTime(timestamp(row.getSentTime()));
    }
    if (DeliveryStatuses.RETRYING.equals(row.getStatus()) && row.getNextAttemptTime() != null) {
      out.setNextAttemptTime(timestamp(row.getNextAttemptTime()));
    }
    return out.build();
  }

  private static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
  }
}
