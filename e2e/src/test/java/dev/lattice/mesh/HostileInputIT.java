package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.AnnotationsProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.lattice.mesh.HostileCase.Expected;
import dev.lattice.mesh.MeshRpcs.Rpc;
import dev.lattice.mesh.RawMeshClient.Outcome;
import io.grpc.Metadata;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #15's hostile input: every RPC of every application service of one running mesh, found
 * through reflection and the contracts ({@link MeshRpcs}), gets the requests {@link
 * HostileRequests} makes from its request type, as raw bytes on the wire with the platform
 * administrator's valid token ({@link RawMeshClient}). Every answer must be one the contract
 * documents for it, never INTERNAL or UNKNOWN, and show the caller nothing internal ({@link
 * Leaks}); and the mesh must have stored nothing: the rows of every table of every service's
 * database and the last sequence of every stream are the same after the calls as before ({@link
 * StoredState}).
 */
@ExtendWith(SharedMeshes.class)
class HostileInputIT {

  private static final Duration SETTLE_PATIENCE = Duration.ofSeconds(60);

  private static RawMeshClient client;

  @BeforeAll
  static void connect(SharedMesh mesh) {
    client = new RawMeshClient(mesh);
  }

  @AfterAll
  static void close() throws InterruptedException {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void everyRpc_answersHostileInputWithDocumentedClientErrors_showsNothingInternal_storesNothing(
      SharedMesh mesh) {
    List<Rpc> rpcs = MeshRpcs.of(client.channels());
    assertThat(rpcs)
        .extracting(Rpc::name)
        .contains("orders lattice.orders.v1.OrdersService/CreateOrder");
    Map<String, String> pageTokens = realPageTokens(rpcs);
    StoredState before = StoredState.settled(mesh, SETTLE_PATIENCE);

    long start = System.nanoTime();
    Run run = sendAll(rpcs, pageTokens);
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    StoredState after = StoredState.settled(mesh, SETTLE_PATIENCE);
    List<String> changes = after.changesSince(before);
    System.out.printf(
        "hostile input: %d RPCs, %d calls in %d ms (%d ms of it making them), %d failures,"
            + " %d counts changed; not sent, valid writes: %s%n",
        rpcs.size(),
        run.calls(),
        elapsed,
        run.makingMillis(),
        run.failures().size(),
        changes.size(),
        run.notSent());
    SoftAssertions softly = new SoftAssertions();
    softly
        .assertThat(run.failures())
        .as(String.join("\n", run.failures().subList(0, Math.min(200, run.failures().size()))))
        .isEmpty();
    softly.assertThat(changes).as("rows or events added by the hostile calls").isEmpty();
    softly.assertAll();
  }

  /**
   * What the calls showed.
   *
   * @param calls how many were made
   * @param makingMillis the time spent making the requests, of the whole
   * @param failures each answer the contract does not allow, and each leak
   * @param notSent the generated requests that were legitimate writes
   */
  private record Run(int calls, long makingMillis, List<String> failures, List<String> notSent) {}

  private static Run sendAll(List<Rpc> rpcs, Map<String, String> pageTokens) {
    HostileRequests requests = new HostileRequests();
    // OperationsService is on every server: its requests are made once per type.
    Map<Descriptor, HostileRequests.Cases> made = new HashMap<>();
    List<String> failures = new ArrayList<>();
    List<String> notSent = new ArrayList<>();
    int calls = 0;
    long makingNanos = 0;
    for (Rpc rpc : rpcs) {
      long making = System.nanoTime();
      Descriptor type = rpc.proto().getInputType();
      HostileRequests.Cases cases =
          made.computeIfAbsent(type, t -> requests.of(t, rpc.isRead(), parses(rpc)));
      List<HostileCase> all = new ArrayList<>(cases.sent());
      if (type.findFieldByName("page_token") != null) {
        all.addAll(
            requests.pageTokens(type, pageTokens.get(rpc.name()), foreignToken(rpc, pageTokens)));
      }
      makingNanos += System.nanoTime() - making;
      cases.notSent().forEach(what -> notSent.add(rpc.name() + ": " + what));
      for (HostileCase hostile : all) {
        calls++;
        judge(rpc, hostile, client.call(rpc, hostile.body(), hostile.headers()), failures);
      }
    }
    return new Run(calls, TimeUnit.NANOSECONDS.toMillis(makingNanos), failures, notSent);
  }

  private static void judge(Rpc rpc, HostileCase hostile, Outcome outcome, List<String> failures) {
    String call = rpc.name() + " with " + hostile.what() + ": ";
    Status status = outcome.status();
    if (!hostile.expected().codes.contains(status.getCode())) {
      failures.add(
          call
              + status.getCode()
              + " \""
              + status.getDescription()
              + "\", expected "
              + hostile.expected().codes);
    }
    if (hostile.expected() == Expected.MALFORMED
        && status.getCode() == Status.Code.INVALID_ARGUMENT
        && !outcome.reason().equals("REQUEST_MALFORMED")) {
      failures.add(call + "reason " + outcome.reason() + ", expected REQUEST_MALFORMED");
    }
    if (!status.isOk()) {
      Leaks.in(status, outcome.trailers()).forEach(leak -> failures.add(call + "shows " + leak));
    }
  }

  /**
   * For every read with a {@code page_token} that lists from the top (its HTTP path names no
   * parent, unlike ListMedia's {@code /v1/products/{product_id}/media}), the next-page token of its
   * first page of one, where there is a second page (RPC name → token).
   */
  private static Map<String, String> realPageTokens(List<Rpc> rpcs) {
    Map<String, String> tokens = new LinkedHashMap<>();
    for (Rpc rpc : rpcs) {
      Descriptor type = rpc.proto().getInputType();
      FieldDescriptor pageSize = type.findFieldByName("page_size");
      if (!rpc.isRead()
          || type.findFieldByName("page_token") == null
          || pageSize == null
          || listsUnderAParent(rpc)) {
        continue;
      }
      byte[] request = DynamicMessage.newBuilder(type).setField(pageSize, 1).build().toByteArray();
      Outcome first = client.call(rpc, request, new Metadata());
      assertThat(first.status().getCode())
          .as(rpc.name() + " " + first.status())
          .isEqualTo(Status.Code.OK);
      Descriptor answer = rpc.proto().getOutputType();
      try {
        Object next =
            DynamicMessage.parseFrom(answer, first.answer())
                .getField(answer.findFieldByName("next_page_token"));
        if (!next.toString().isEmpty()) {
          tokens.put(rpc.name(), next.toString());
        }
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException(rpc.name() + " answered no valid message", e);
      }
    }
    assertThat(tokens).as("lists with a second page, whose tokens can be tampered").isNotEmpty();
    return tokens;
  }

  /** Whether the RPC's HTTP GET path has a variable other than the operations' {service}. */
  private static boolean listsUnderAParent(Rpc rpc) {
    var options = rpc.proto().getOptions();
    if (!options.hasExtension(AnnotationsProto.http)) {
      return false;
    }
    String path = options.getExtension(AnnotationsProto.http).getGet();
    return path.replace("{service}", "").contains("{");
  }

  /** A real token of another RPC, of the same server where one has one. */
  private static String foreignToken(Rpc rpc, Map<String, String> tokens) {
    String other = null;
    for (Map.Entry<String, String> token : tokens.entrySet()) {
      if (token.getKey().equals(rpc.name())) {
        continue;
      }
      if (token.getKey().startsWith(rpc.server() + " ")) {
        return token.getValue();
      }
      other = other == null ? token.getValue() : other;
    }
    return other;
  }

  /** Whether bytes parse as the RPC's request, as the server's own marshaller parses them. */
  private static Predicate<byte[]> parses(Rpc rpc) {
    return bytes -> {
      try {
        rpc.grpc().parseRequest(new ByteArrayInputStream(bytes));
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    };
  }
}
