package dev.lattice.examples.client;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.util.UUID;

/**
 * The {@code idempotency-key} of one logical operation ({@code CreateOrder}, {@code RefundOrder},
 * {@code RefundPayment}). Make a {@link #random()} key per operation and keep it while you retry
 * the operation: the same key and request return the stored response; the same key with another
 * request fails with {@code ALREADY_EXISTS}, reason {@code IDEMPOTENCY_KEY_REUSED}. gRPC's own
 * retries resend the same headers, so they repeat the key by themselves.
 *
 * <pre>{@code
 * IdempotencyKey key = IdempotencyKey.random();
 * Order order = key.attach(orders).createOrder(request).getOrder();
 * }</pre>
 *
 * @param value 1 to 255 printable ASCII characters
 */
public record IdempotencyKey(String value) {

  /** The metadata key the server reads. */
  public static final Metadata.Key<String> HEADER =
      Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);

  public IdempotencyKey {
    if (value == null
        || value.isEmpty()
        || value.length() > 255
        || !value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
      throw new IllegalArgumentException(
          "an idempotency key is 1 to 255 printable ASCII characters");
    }
  }

  /** A fresh key (a random UUID) for a new operation. */
  public static IdempotencyKey random() {
    return new IdempotencyKey(UUID.randomUUID().toString());
  }

  /** An interceptor that sends this key on every call it sees. */
  public ClientInterceptor interceptor() {
    Metadata headers = new Metadata();
    headers.put(HEADER, value);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }

  /** {@code stub} sending this key. */
  public <S extends AbstractStub<S>> S attach(S stub) {
    return stub.withInterceptors(interceptor());
  }

  @Override
  public String toString() {
    return value;
  }
}
