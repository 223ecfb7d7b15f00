package dev.lattice.audit;

import dev.lattice.audit.api.AuditGrpcService;
import dev.lattice.audit.chain.ChainVerifier;
import dev.lattice.audit.events.RecordingHandler;
import dev.lattice.audit.log.AuditLog;
import dev.lattice.audit.record.EventRecorder;
import dev.lattice.audit.record.PayloadRenderer;
import dev.lattice.audit.store.AuditStore;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.events.EventPayloadTypes;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.paging.PageTokens;
import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import io.grpc.BindableService;
import java.util.List;

/**
 * The audit service: AuditService on gRPC port 9106 (override with {@code LATTICE_GRPC_PORT}), its
 * own database {@code lattice_audit}. Start-up and drain follow {@link ServiceRuntime}. It
 * publishes no events; it consumes every event of every service's stream (decision 0010).
 */
public final class AuditMain implements ServiceModule {

  /** The services whose streams audit records, in the platform's naming. */
  public static final List<String> AUDITED_SERVICES =
      List.of("identity", "orders", "inventory", "payments", "notifications");

  public static void main(String[] args) {
    ServiceRuntime.main(new AuditMain());
  }

  @Override
  public String name() {
    return "audit";
  }

  @Override
  public int defaultPort() {
    return 9106;
  }

  @Override
  public boolean publishesEvents() {
    return false;
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    AuditStore store = store(context);
    return List.of(
        new AuditGrpcService(
            new AuditLog(context.dsl(), store, PageTokens.fromEnv(context.env())),
            new ChainVerifier(context.dsl(), store)));
  }

  /**
   * The most events one transaction records: one chain lock and one commit for them all. The four
   * consumers contend for the chain lock of a busy tenant; a larger batch spends it on more events.
   */
  static final int AUDIT_BATCH = 64;

  /**
   * One durable consumer per stream, {@code audit-<service>} on {@code lattice.<service>.>} (one
   * filter subject, as nats-server 2.9 requires), recording every payload type with {@code
   * handleAll}. A stream that does not exist yet is waited for by the consumer's retry loop.
   */
  @Override
  public List<EventConsumer> consumers(ServiceContext context) {
    RecordingHandler recorder =
        new RecordingHandler(
            new EventRecorder(
                store(context),
                new PayloadRenderer(EventPayloadTypes.registry()),
                new UuidV7Generator(context.clock()),
                context.clock()));
    return AUDITED_SERVICES.stream()
        .map(
            service ->
                context
                    .consumer(
                        durableName(service),
                        EventSubjects.streamName(service),
                        EventSubjects.streamSubjects(service))
                    .handleAll(recorder)
                    .batchTransactions(AUDIT_BATCH)
                    .build())
        .toList();
  }

  /** The durable consumer audit runs on {@code service}'s stream. */
  public static String durableName(String service) {
    return "audit-" + service;
  }

  private static AuditStore store(ServiceContext context) {
    return new AuditStore(context.clock());
  }
}
