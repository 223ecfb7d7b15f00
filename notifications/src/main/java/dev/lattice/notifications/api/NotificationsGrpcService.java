package dev.lattice.notifications.api;

import dev.lattice.notifications.delivery.DeliveryLog;
import dev.lattice.notifications.inbox.Inbox;
import dev.lattice.notifications.preferences.Preferences;
import dev.lattice.notifications.templates.TemplateCatalog;
import dev.lattice.notifications.v1.GetPreferencesRequest;
import dev.lattice.notifications.v1.GetPreferencesResponse;
import dev.lattice.notifications.v1.ListDeliveriesRequest;
import dev.lattice.notifications.v1.ListDeliveriesResponse;
import dev.lattice.notifications.v1.ListNotificationsRequest;
import dev.lattice.notifications.v1.ListNotificationsResponse;
import dev.lattice.notifications.v1.ListTemplatesRequest;
import dev.lattice.notifications.v1.ListTemplatesResponse;
import dev.lattice.notifications.v1.MarkReadRequest;
import dev.lattice.notifications.v1.MarkReadResponse;
import dev.lattice.notifications.v1.NotificationsServiceGrpc;
import dev.lattice.notifications.v1.UpdatePreferencesRequest;
import dev.lattice.notifications.v1.UpdatePreferencesResponse;
import dev.lattice.notifications.v1.UpsertTemplateRequest;
import dev.lattice.notifications.v1.UpsertTemplateResponse;
import dev.lattice.platform.auth.Principal;
import io.grpc.stub.StreamObserver;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The gRPC face of the notifications service. Requests reach it only after the platform's
 * interceptors (telemetry, auth and RBAC, error mapping, protovalidate), so every request here is
 * valid by its contract and its caller allowed. Tenant and user come from the caller's token; a row
 * of another tenant or user is NOT_FOUND.
 */
public final class NotificationsGrpcService
    extends NotificationsServiceGrpc.NotificationsServiceImplBase {

  private final Preferences preferences;
  private final Inbox inbox;
  private final DeliveryLog deliveries;
  private final TemplateCatalog templates;

  public NotificationsGrpcService(
      Preferences preferences, Inbox inbox, DeliveryLog deliveries, TemplateCatalog templates) {
    this.preferences = preferences;
    this.inbox = inbox;
    this.deliveries = deliveries;
    this.templates = templates;
  }

  @Override
  public void getPreferences(
      GetPreferencesRequest request, StreamObserver<GetPreferencesResponse> response) {
    answer(
        response,
        () ->
            GetPreferencesResponse.newBuilder()
                .setPreferences(preferences.get(tenant(), user()))
                .build());
  }

  @Override
  public void updatePreferences(
      UpdatePreferencesRequest request, StreamObserver<UpdatePreferencesResponse> response) {
    answer(
        response,
        () ->
            UpdatePreferencesResponse.newBuilder()
                .setPreferences(preferences.update(tenant(), user(), request))
                .build());
  }

  @Override
  public void listNotifications(
      ListNotificationsRequest request, StreamObserver<ListNotificationsResponse> response) {
    answer(response, () -> inbox.list(tenant(), user(), request));
  }

  @Override
  public void listDeliveries(
      ListDeliveriesRequest request, StreamObserver<ListDeliveriesResponse> response) {
    answer(response, () -> deliveries.list(tenant(), request));
  }

  @Override
  public void listTemplates(
      ListTemplatesRequest request, StreamObserver<ListTemplatesResponse> response) {
    answer(response, () -> templates.list(tenant(), request));
  }

  @Override
  public void markRead(MarkReadRequest request, StreamObserver<MarkReadResponse> response) {
    answer(response, () -> inbox.markRead(tenant(), user(), request));
  }

  @Override
  public void upsertTemplate(
      UpsertTemplateRequest request, StreamObserver<UpsertTemplateResponse> response) {
    answer(response, () -> templates.upsert(tenant(), request));
  }

  private static UUID tenant() {
    return UUID.fromString(Principal.require().tenantId());
  }

  private static UUID user() {
    return UUID.fromString(Principal.require().subject());
  }

  /** Runs {@code work} and completes the call; exceptions reach the platform's error mapping. */
  private static <T> void answer(StreamObserver<T> response, Supplier<T> work) {
    response.onNext(work.get());
    response.onCompleted();
  }
}
