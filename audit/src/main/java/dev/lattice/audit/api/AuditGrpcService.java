package dev.lattice.audit.api;

import dev.lattice.audit.chain.ChainVerifier;
import dev.lattice.audit.log.AuditLog;
import dev.lattice.audit.v1.AuditServiceGrpc;
import dev.lattice.audit.v1.GetAuditRecordRequest;
import dev.lattice.audit.v1.GetAuditRecordResponse;
import dev.lattice.audit.v1.QueryAuditLogRequest;
import dev.lattice.audit.v1.QueryAuditLogResponse;
import dev.lattice.audit.v1.VerifyChainRequest;
import dev.lattice.audit.v1.VerifyChainResponse;
import dev.lattice.platform.auth.Principal;
import io.grpc.stub.StreamObserver;
import java.util.UUID;

/**
 * The gRPC face of the audit service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, authentication with the permission each RPC declares, protovalidate),
 * so every request here is authorized and valid by its contract. The tenant is always the caller's
 * ({@link Principal}); another tenant's record is {@code NOT_FOUND}.
 */
public final class AuditGrpcService extends AuditServiceGrpc.AuditServiceImplBase {

  private final AuditLog log;
  private final ChainVerifier verifier;

  /** A service reading {@code log} and verifying with {@code verifier}. */
  public AuditGrpcService(AuditLog log, ChainVerifier verifier) {
    this.log = log;
    this.verifier = verifier;
  }

  @Override
  public void getAuditRecord(
      GetAuditRecordRequest request, StreamObserver<GetAuditRecordResponse> response) {
    response.onNext(
        GetAuditRecordResponse.newBuilder()
            .setRecord(log.get(tenant(), UUID.fromString(request.getRecordId())))
            .build());
    response.onCompleted();
  }

  @Override
  public void queryAuditLog(
      QueryAuditLogRequest request, StreamObserver<QueryAuditLogResponse> response) {
    response.onNext(log.query(tenant(), request));
    response.onCompleted();
  }

  @Override
  public void verifyChain(
      VerifyChainRequest request, StreamObserver<VerifyChainResponse> response) {
    response.onNext(verifier.verify(tenant(), request));
    response.onCompleted();
  }

  private static UUID tenant() {
    return UUID.fromString(Principal.require().tenantId());
  }
}
