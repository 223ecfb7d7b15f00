package dev.lattice.orders.placement;

import dev.lattice.inventory.v1.Product;
import dev.lattice.orders.events.OrderEvents;
import dev.lattice.orders.order.Order;
import dev.lattice.orders.order.OrderAccess;
import dev.lattice.orders.order.OrderErrors;
import dev.lattice.orders.order.OrderLine;
import dev.lattice.orders.order.OrderProtos;
import dev.lattice.orders.store.OrderHistoryStore;
import dev.lattice.orders.store.OrderStore;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.CreateOrderResponse;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.idempotency.IdempotencyClaim;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * CreateOrder: admits the order ({@link SagaAdmission}), captures every product's current price
 * from inventory, then stores the order (CREATED), its lines, the first status history row,
 * OrderCreated and the idempotency key's response in one transaction. Nothing is written when the
 * order is not admitted, a product is unknown, priced in another currency or inventory cannot be
 * reached. Thread-safe.
 */
public final class OrderPlacement {

  private final DSLContext dsl;
  private final InventoryPrices prices;
  private final SagaAdmission admission;
  private final OrderEvents events;
  private final UuidV7Generator ids;
  private final Clock clock;

  public OrderPlacement(
      DSLContext dsl,
      InventoryPrices prices,
      SagaAdmission admission,
      OrderEvents events,
      Clock clock) {
    this.dsl = dsl;
    this.prices = prices;
    this.admission = admission;
    this.events = events;
    this.ids = new UuidV7Generator(clock);
    this.clock = clock;
  }

  /**
   * Places {@code request} for {@code caller}.
   *
   * @param accessToken the caller's bearer token, forwarded to inventory
   * @param claim the call's idempotency claim, completed in the order's transaction
   * @throws dev.lattice.platform.errors.NotFoundException PRODUCT_NOT_FOUND
   * @throws FailedPreconditionException CURRENCY_MISMATCH
   * @throws InvalidArgumentException AMOUNT_TOO_LARGE when a total overflows 64 bits
   * @throws dev.lattice.platform.errors.UnavailableException INVENTORY_UNAVAILABLE
   * @throws dev.lattice.platform.errors.ResourceExhaustedException SAGAS_BACKLOGGED
   */
  public CreateOrderResponse place(
      OrderAccess caller, String accessToken, CreateOrderRequest request, IdempotencyClaim claim) {
    admission.admit();
    List<UUID> productIds =
        request.getLinesList().stream().map(line -> UUID.fromString(line.getProductId())).toList();
    List<Product> products = prices.products(accessToken, productIds);
    checkAnswer(productIds, products);
    checkCurrency(request.getCurrency(), products);
    List<OrderLine> lines = price(request, products);
    long total = total(lines);
    return Transactions.inTenantTransaction(
        dsl,
        caller.tenantId(),
        tx -> {
          Order order =
              Order.placed(
                  ids.next(), caller, request.getCurrency(), total, lines, Order.now(clock));
          OrderStore.insert(tx, order);
          OrderHistoryStore.append(
              tx, order, null, "order_created", "", caller.actor(), null, ids.next());
          events.created(tx, order, caller.actor(), request.getPaymentMethodToken());
          CreateOrderResponse response =
              CreateOrderResponse.newBuilder().setOrder(OrderProtos.toProto(order)).build();
          claim.complete(tx, response);
          return response;
        });
  }

  /** Inventory answers every id in request order; anything else is a broken contract. */
  private static void checkAnswer(List<UUID> productIds, List<Product> products) {
    List<String> answered = products.stream().map(Product::getId).toList();
    if (!answered.equals(productIds.stream().map(UUID::toString).toList())) {
      throw new IllegalStateException(
          "inventory answered products " + answered + " for " + productIds);
    }
  }

  private static void checkCurrency(String currency, List<Product> products) {
    List<String> mismatched =
        products.stream()
            .filter(product -> !product.getCurrency().equals(currency))
            .map(Product::getId)
            .toList();
    if (!mismatched.isEmpty()) {
      throw new FailedPreconditionException(
          OrderErrors.CURRENCY_MISMATCH,
          "some products are not priced in " + currency,
          Map.of("product_ids", String.join(",", mismatched), "currency", currency));
    }
  }

  private static List<OrderLine> price(CreateOrderRequest request, List<Product> products) {
    List<OrderLine> lines = new ArrayList<>();
    for (int i = 0; i < products.size(); i++) {
      Product product = products.get(i);
      int quantity = request.getLines(i).getQuantity();
      try {
        lines.add(
            new OrderLine(
                UUID.fromString(product.getId()),
                product.getSku(),
                product.getName(),
                quantity,
                product.getPriceAmountMinor(),
                Math.multiplyExact(product.getPriceAmountMinor(), quantity)));
      } catch (ArithmeticException e) {
        throw InvalidArgumentException.forField(
            OrderErrors.AMOUNT_TOO_LARGE,
            "lines[" + i + "].quantity",
            "the line total exceeds the largest amount");
      }
    }
    return lines;
  }

  private static long total(List<OrderLine> lines) {
    long total = 0;
    for (OrderLine line : lines) {
      try {
        total = Math.addExact(total, line.lineTotalAmountMinor());
      } catch (ArithmeticException e) {
        throw InvalidArgumentException.forField(
            OrderErrors.AMOUNT_TOO_LARGE, "lines", "the order total exceeds the largest amount");
      }
    }
    return total;
  }
}
