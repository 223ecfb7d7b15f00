package dev.lattice.mesh;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import dev.lattice.mesh.MeshRpcs.Rpc;
import dev.lattice.mesh.RawMeshClient.Outcome;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What {@link CrossTenantIT}'s attempts showed: how many were made of each kind, how many passed
 * validation, and every answer that tells another tenant's resource from one that does not exist,
 * shows one of its ids, or is {@code INTERNAL}, {@code UNKNOWN} or leaky. Not thread-safe: one test
 * thread fills it.
 */
final class CrossTenantTally {

  private static final Set<Status.Code> NEVER = Set.of(Status.Code.INTERNAL, Status.Code.UNKNOWN);
  private static final Metadata.Key<String> IDEMPOTENCY_KEY =
      Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);

  private final Set<String> theirIds;
  private final Map<String, Integer> byKind = new TreeMap<>();
  private final List<String> failures = new ArrayList<>();
  private int reached;

  /**
   * A caller of the other tenant.
   *
   * @param name for the report
   * @param token its access token
   * @param known ids of the first tenant it knows without asking: its own subject (tokens carrying
   *     a subject of the first tenant) and the platform administrator who created its tenant, whom
   *     its audit trail names by design
   */
  record Caller(String name, String token, Set<String> known) {}

  /** A tally of attempts on resources whose ids are {@code theirIds}. */
  CrossTenantTally(Set<String> theirIds) {
    this.theirIds = Set.copyOf(theirIds);
  }

  /**
   * One call naming another tenant's resource {@code id}, beside the same call naming {@code
   * nowhere}, an id no tenant has.
   */
  void byId(
      Caller caller,
      String call,
      String kind,
      String id,
      Outcome outcome,
      String nowhere,
      Outcome control,
      boolean valid) {
    count(kind);
    if (valid) {
      reached++;
    }
    if (caller.known().contains(id)) {
      // Its own id (DeleteUser of itself, ListOrders of its own orders) is answered as such.
      never(call, outcome);
    } else {
      alike(call, outcome, id, control, nowhere);
    }
    shows(caller, call, outcome, id);
  }

  /**
   * A read of a list by {@code token}: its first page, and the page another tenant's {@code
   * theirPageToken} (if not null) continues.
   */
  void listed(Caller caller, Rpc rpc, String theirPageToken, RawMeshClient client) {
    Descriptor type = rpc.proto().getInputType();
    byte[] own = DynamicMessage.newBuilder(type).build().toByteArray();
    List<byte[]> requests = new ArrayList<>(List.of(own));
    if (theirPageToken != null) {
      requests.add(
          DynamicMessage.newBuilder(type)
              .setField(type.findFieldByName("page_token"), theirPageToken)
              .build()
              .toByteArray());
    }
    for (byte[] request : requests) {
      count("list page");
      reached++;
      Outcome outcome = client.callAs(caller.token(), rpc, request, new Metadata());
      String call =
          caller.name()
              + " "
              + rpc.name()
              + (request == own ? " first page" : " with A's page token");
      Status.Code code = outcome.status().getCode();
      if (code != Status.Code.OK && code != Status.Code.INVALID_ARGUMENT) {
        failures.add(call + ": " + outcome.status());
      }
      shows(caller, call, outcome, null);
    }
  }

  /** A read naming nothing (GetMe, GetPreferences, VerifyChain) by {@code token}. */
  void own(Caller caller, Rpc rpc, RawMeshClient client) {
    count("own read");
    reached++;
    Outcome outcome = client.callAs(caller.token(), rpc, new byte[0], new Metadata());
    String call = caller.name() + " " + rpc.name();
    never(call, outcome);
    shows(caller, call, outcome, null);
  }

  /** A write sent by {@code token} with another tenant's idempotency key and request. */
  void keyed(Caller caller, Rpc rpc, String key, byte[] body, RawMeshClient client) {
    count("idempotency key");
    reached++;
    Metadata theirs = new Metadata();
    theirs.put(IDEMPOTENCY_KEY, key);
    Metadata fresh = new Metadata();
    fresh.put(IDEMPOTENCY_KEY, "xt-" + UUID.randomUUID());
    Outcome outcome = client.callAs(caller.token(), rpc, body, theirs);
    Outcome control = client.callAs(caller.token(), rpc, body, fresh);
    String call = caller.name() + " " + rpc.name() + " with A's idempotency key";
    if (outcome.status().isOk()) {
      failures.add(call + ": OK, a replay or a write in tenant B");
    }
    alike(call, outcome, key, control, key);
    shows(caller, call, outcome, null);
  }

  int attempts() {
    return byKind.values().stream().mapToInt(Integer::intValue).sum();
  }

  int reached() {
    return reached;
  }

  Map<String, Integer> byKind() {
    return Map.copyOf(byKind);
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  private void count(String kind) {
    byKind.merge(kind, 1, Integer::sum);
  }

  private void never(String call, Outcome outcome) {
    if (NEVER.contains(outcome.status().getCode())) {
      failures.add(call + ": " + outcome.status());
    }
  }

  /** The two answers must not differ but for the id each was asked about. */
  private void alike(String call, Outcome outcome, String id, Outcome control, String nowhere) {
    never(call, outcome);
    Status.Code code = outcome.status().getCode();
    String seen =
        code
            + " "
            + outcome.reason()
            + " "
            + Objects.toString(outcome.status().getDescription()).replace(id, "<id>");
    String unseen =
        control.status().getCode()
            + " "
            + control.reason()
            + " "
            + Objects.toString(control.status().getDescription()).replace(nowhere, "<id>");
    if (!seen.equals(unseen)) {
      failures.add(call + ": answered " + seen + " but for an id of no tenant " + unseen);
    } else if (code == Status.Code.OK && !Arrays.equals(outcome.answer(), control.answer())) {
      failures.add(call + ": an answer unlike the one for an id of no tenant");
    }
  }

  /** The answer must show none of the other tenant's ids but {@code asked} and those known. */
  private void shows(Caller caller, String call, Outcome outcome, String asked) {
    List<String> shown = new ArrayList<>();
    shown.addAll(TenantResources.shown(outcome.answer(), theirIds));
    String description = Objects.toString(outcome.status().getDescription());
    theirIds.stream().filter(description::contains).forEach(shown::add);
    shown.removeIf(id -> id.equals(asked) || caller.known().contains(id));
    if (!shown.isEmpty()) {
      failures.add(call + ": shows tenant A's " + shown);
    }
    if (!outcome.status().isOk()) {
      Leaks.in(outcome.status(), outcome.trailers())
          .forEach(leak -> failures.add(call + ": " + leak));
    }
  }
}
