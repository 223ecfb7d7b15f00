package dev.lattice.orders.domain;

import static dev.lattice.orders.store.jooq.Tables.ORDERS;
import static dev.lattice.orders.store.jooq.Tables.ORDER_LINES;

import dev.lattice.inventory.v1.Product;
import dev.lattice.orders.events.OrderEvents;
import dev.lattice.orders.pricing.InventoryPrices;
import dev.lattice.orders.store.OrderStore;
import dev.lattice.orders.store.jooq.tables.records.OrderLinesRecord;
import dev.lattice.orders.store.jooq.tables.records.OrdersRecord;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.CreateOrderResponse;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.idempotency.IdempotencyClaim;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * CreateOrder: captures every product's current price from inventory, then stores the order
 * (CREATED), its lines, the first status history row, OrderCreated and the idempotency key's
 * response in one transaction. Nothing is written when a product is unknown, priced in another
 * currency or inventory cannot be reached. Thread-safe.
 */
public final class OrderPlacement {

  private final DSLContext dsl;
  private final InventoryPrices prices;
  private final OrderEvents events;
  private final UuidV7Generator ids;
  private final Clock clock;

  public OrderPlacement(DSLContext dsl, InventoryPrices prices, OrderEvents events, Clock clock) {
    this.dsl = dsl;
    this.prices = prices;
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
   */
  public CreateOrderResponse place(
      OrderAccess caller, String accessToken, CreateOrderRequest request, IdempotencyClaim claim) {
    List<UUID> productIds = request.getLinesList().stream()
        .map(line -> UUID.fromString(line.getProductId()))
        .toList();
    List<Product> products = prices.products(accessToken, productIds);
    checkAnswer(productIds, products);
    checkCurrency(request.getCurrency(), products);
    List<PricedLine> lines = price(request, products);
    long total = 0;
    for (PricedLine line : lines) {
      try {
        total = Math.addExact(total, line.total());
      } catch (ArithmeticException e) {
        throw InvalidArgumentException.forField(
            OrderErrors.AMOUNT_TOO_LARGE, "lines", "the order total exceeds the largest amount");
      }
    }
    long orderTotal = total;
    return Transactions.inTransaction(dsl, tx -> {
      OffsetDateTime now = OrderStore.utc(clock.instant());
      OrdersRecord order = tx.newRecord(ORDERS);
      order.setId(ids.next());
      order.setTenantId(caller.tenantId());
      order.setCustomerId(caller.subject());
      order.setStatus(OrderState.CREATED.name());
      order.setCurrency(request.getCurrency());
      order.setTotalAmountMinor(orderTotal);
      order.setCancellationNote("");
      order.setCreateTime(now);
      order.setUpdateTime(now);
      order.setVersion(1L);
      order.insert();
      List<OrderLinesRecord> rows = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        rows.add(lines.get(i).toRecord(tx.newRecord(ORDER_LINES), order, i + 1));
      }
      tx.batchInsert(rows).execute();
      OrderStore.history(
          tx, order, null, "order_created", "", caller.actor(), null, ids.next());
      Order created = OrderStore.toProto(order, rows);
      events.append(tx, order, caller.actor(),
          OrderCreated.newBuilder()
              .setOrderId(created.getId())
              .setCustomerId(created.getCustomerId())
              .addAllLines(created.getLinesList())
              .setCurrency(created.getCurrency())
              .setTotalAmountMinor(created.getTotalAmountMinor())
              .setPaymentMethodToken(request.getPaymentMethodToken())
              .build(),
          null);
      CreateOrderResponse response = CreateOrderResponse.newBuilder().setOrder(created).build();
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
    List<String> mismatched = products.stream()
        .filter(product -> !product.getCurrency().equals(currency))
        .map(Product::getId)
        .toList();
    if (!mismatched.isEmpty()) {
      throw new FailedPreconditionException(
          OrderErrors.CURRENCY_MISMATCH, "some products are not priced in " + currency,
          Map.of("product_ids", String.join(",", mismatched), "currency", currency));
    }
  }

  private static List<PricedLine> price(CreateOrderRequest request, List<Product> products) {
    List<PricedLine> lines = new ArrayList<>();
    for (int i = 0; i < products.size(); i++) {
      Product product = products.get(i);
      int quantity = request.getLines(i).getQuantity();
      try {
        lines.add(new PricedLine(product, quantity,
            Math.multiplyExact(product.getPriceAmountMinor(), quantity)));
      } catch (ArithmeticException e) {
        throw InvalidArgumentException.forField(OrderErrors.AMOUNT_TOO_LARGE,
            "lines[" + i + "].quantity", "the line total exceeds the largest amount");
      }
    }
    return lines;
  }

  /** A requested line with its captured price; {@code total} = unit price × quantity. */
  private record PricedLine(Product product, int quantity, long total) {

    OrderLinesRecord toRecord(OrderLinesRecord row, OrdersRecord order, int lineNumber) {
      row.setOrderId(order.getId());
      row.setLineNumber(lineNumber);
      row.setTenantId(order.getTenantId());
      row.setProductId(UUID.fromString(product.getId()));
      row.setSku(product.getSku());
      row.setName(product.getName());
      row.setQuantity(quantity);
      row.setUnitPriceAmountMinor(product.getPriceAmountMinor());
      row.setLineTotalAmountMinor(total);
      return row;
    }
  }
}
