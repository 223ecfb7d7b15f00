// Command checkout runs the checkout of clients/README.md with the Go helper against a running
// mesh.
//
// It reads the LATTICE_* environment variables, prints progress to stderr and, as its last stdout
// line, one JSON summary. It exits non-zero when any step does not behave as the README says. Run
// it through clients/go/checkout, which builds it and sets GRPC_GO_RETRY=on.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	inventoryv1 "lattice.dev/clients/go/gen/lattice/inventory/v1"
	ordersv1 "lattice.dev/clients/go/gen/lattice/orders/v1"
	"lattice.dev/clients/go/lattice"
)

const (
	language   = "go"
	paidWithin = 90 * time.Second
)

var logger = log.New(os.Stderr, "["+language+"] ", 0)

// check stops the checkout (exit 1) when a step did not behave as clients/README.md says.
func check(condition bool, format string, args ...interface{}) {
	if !condition {
		logger.Fatalf("FAILED: "+format, args...)
	}
}

// must stops the checkout (exit 1) on an unexpected error, with its decoded status.
func must(err error) {
	if err == nil {
		return
	}
	if _, isStatus := status.FromError(err); isStatus {
		d := lattice.DetailsOf(err)
		logger.Fatalf("FAILED: unexpected %s %s: %s", lattice.CodeName(d.Code), d.Reason, d.Message)
	}
	logger.Fatalf("FAILED: %v", err)
}

func env(name string) string {
	value := os.Getenv(name)
	check(value != "", "environment variable %s is not set", name)
	return value
}

func dial(target string, opts ...lattice.Option) *grpc.ClientConn {
	conn, err := lattice.Dial(target, opts...)
	must(err)
	return conn
}

// failure returns the decoded error of a call that must fail.
func failure(err error) lattice.ErrorDetails {
	check(err != nil, "the call succeeded but should have failed")
	_, isStatus := status.FromError(err)
	check(isStatus, "the call failed without a gRPC status: %v", err)
	return lattice.DetailsOf(err)
}

// forgedToken is a well-formed ES256 JWT (the real token's header and claims) signed with random
// bytes.
func forgedToken(real string) string {
	parts := strings.Split(real, ".")
	check(len(parts) == 3, "the access token is not a JWT")
	signature := make([]byte, 64)
	_, err := rand.Read(signature)
	must(err)
	return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(signature)
}

type fieldViolation struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

type summary struct {
	Language         string   `json:"language"`
	ProductID        string   `json:"productId"`
	SKU              string   `json:"sku"`
	StockAfterAdjust int64    `json:"stockAfterAdjust"`
	Refreshed        bool     `json:"refreshed"`
	OrderID          string   `json:"orderId"`
	ReplayOrderID    string   `json:"replayOrderId"`
	SecondOrderID    string   `json:"secondOrderId"`
	FinalStatus      string   `json:"finalStatus"`
	ListedOrderIDs   []string `json:"listedOrderIds"`
	Pages            int      `json:"pages"`
	Invalid          struct {
		Code            string           `json:"code"`
		Reason          string           `json:"reason"`
		FieldViolations []fieldViolation `json:"fieldViolations"`
	} `json:"invalid"`
	Reused struct {
		Code   string `json:"code"`
		Reason string `json:"reason"`
		Domain string `json:"domain"`
	} `json:"reused"`
	Forged struct {
		Code   string `json:"code"`
		Reason string `json:"reason"`
	} `json:"forged"`
	Retried struct {
		OrderID   string `json:"orderId"`
		Status    string `json:"status"`
		ElapsedMs int64  `json:"elapsedMs"`
	} `json:"retried"`
	NotRetried struct {
		Code         string `json:"code"`
		Reason       string `json:"reason"`
		RetryDelayMs int64  `json:"retryDelayMs"`
	} `json:"notRetried"`
}

func checkout(ctx context.Context) summary {
	var out summary
	out.Language = language
	tenant := env("LATTICE_TENANT")
	run := env("LATTICE_RUN")
	identity := dial(env("LATTICE_IDENTITY_TARGET"))
	defer identity.Close()

	// 1. Staff: a product with 5 units, then 5 more.
	staff, err := lattice.Login(ctx, identity, tenant, env("LATTICE_STAFF_EMAIL"), env("LATTICE_STAFF_PASSWORD"))
	must(err)
	inventoryConn := dial(env("LATTICE_INVENTORY_TARGET"), lattice.WithSession(staff))
	defer inventoryConn.Close()
	inventory := inventoryv1.NewInventoryServiceClient(inventoryConn)
	out.SKU = strings.ToUpper(language) + "-" + run
	created, err := inventory.CreateProduct(ctx, &inventoryv1.CreateProductRequest{
		Sku:              out.SKU,
		Name:             "Go checkout " + run,
		PriceAmountMinor: 1999,
		Currency:         "EUR",
		InitialStock:     5,
	})
	must(err)
	out.ProductID = created.GetProduct().GetId()
	check(out.ProductID != "", "CreateProduct returned no product id")
	check(created.GetStock().GetAvailable() == 5, "new product has %d units, not 5", created.GetStock().GetAvailable())
	adjusted, err := inventory.AdjustStock(ctx, &inventoryv1.AdjustStockRequest{
		ProductId: out.ProductID,
		Version:   created.GetStock().GetVersion(),
		Delta:     5,
		Reason:    "go checkout " + run,
	})
	must(err)
	out.StockAfterAdjust = adjusted.GetStock().GetAvailable()
	check(out.StockAfterAdjust == 10, "stock after +5 is %d, not 10", out.StockAfterAdjust)
	logger.Printf("staff created %s (%s), stock %d", out.SKU, out.ProductID, out.StockAfterAdjust)

	// 2. Customer: log in, refresh once explicitly.
	customer, err := lattice.Login(ctx, identity, tenant, env("LATTICE_CUSTOMER_EMAIL"), env("LATTICE_CUSTOMER_PASSWORD"))
	must(err)
	before, err := customer.AccessToken(ctx)
	must(err)
	after, err := customer.Refresh(ctx)
	must(err)
	out.Refreshed = after != "" && after != before
	check(out.Refreshed, "the refreshed access token equals the old one")
	logger.Print("customer logged in and refreshed the session")

	// 3. CreateOrder with a key, the same again (same order), a second with a new key.
	ordersConn := dial(env("LATTICE_ORDERS_TARGET"), lattice.WithSession(customer))
	defer ordersConn.Close()
	orders := ordersv1.NewOrdersServiceClient(ordersConn)
	orderRequest := func(quantity int32, token string) *ordersv1.CreateOrderRequest {
		return &ordersv1.CreateOrderRequest{
			Lines:              []*ordersv1.CreateOrderRequest_Line{{ProductId: out.ProductID, Quantity: quantity}},
			Currency:           "EUR",
			PaymentMethodToken: token,
		}
	}
	firstKey := lattice.NewIdempotencyKey()
	first, err := orders.CreateOrder(lattice.WithIdempotencyKey(ctx, firstKey), orderRequest(1, "tok_visa"))
	must(err)
	out.OrderID = first.GetOrder().GetId()
	check(out.OrderID != "", "CreateOrder returned no order id")
	replay, err := orders.CreateOrder(lattice.WithIdempotencyKey(ctx, firstKey), orderRequest(1, "tok_visa"))
	must(err)
	out.ReplayOrderID = replay.GetOrder().GetId()
	check(out.ReplayOrderID == out.OrderID, "replay returned order %s, not %s", out.ReplayOrderID, out.OrderID)
	second, err := orders.CreateOrder(lattice.WithIdempotencyKey(ctx, lattice.NewIdempotencyKey()), orderRequest(1, "tok_visa"))
	must(err)
	out.SecondOrderID = second.GetOrder().GetId()
	check(out.SecondOrderID != "" && out.SecondOrderID != out.OrderID, "a new idempotency key returned order %q", out.SecondOrderID)
	logger.Printf("orders %s (replayed) and %s", out.OrderID, out.SecondOrderID)

	// 4. Wait until the first order is paid.
	giveUp := time.Now().Add(paidWithin)
	for {
		got, err := orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: out.OrderID})
		must(err)
		order := got.GetOrder()
		if order.GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_PAID {
			out.FinalStatus = order.GetStatus().String()
			break
		}
		check(order.GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_CREATED, "order %s became %s (%s)",
			out.OrderID, order.GetStatus(), order.GetCancellationReason())
		check(time.Now().Before(giveUp), "order %s not paid within %s", out.OrderID, paidWithin)
		time.Sleep(250 * time.Millisecond)
	}
	logger.Printf("order %s is %s", out.OrderID, out.FinalStatus)

	// 5. ListOrders one per page until next_page_token is empty.
	out.ListedOrderIDs = []string{}
	seenTokens := map[string]bool{}
	listed := map[string]bool{}
	pageToken := ""
	for {
		page, err := orders.ListOrders(ctx, &ordersv1.ListOrdersRequest{PageSize: 1, PageToken: pageToken})
		must(err)
		out.Pages++
		check(len(page.GetOrders()) <= 1, "page %d has %d orders for page_size 1", out.Pages, len(page.GetOrders()))
		for _, order := range page.GetOrders() {
			check(!listed[order.GetId()], "ListOrders listed order %s twice", order.GetId())
			listed[order.GetId()] = true
			out.ListedOrderIDs = append(out.ListedOrderIDs, order.GetId())
		}
		pageToken = page.GetNextPageToken()
		if pageToken == "" {
			break
		}
		check(!seenTokens[pageToken], "ListOrders returned a page token twice")
		seenTokens[pageToken] = true
	}
	check(listed[out.OrderID] && listed[out.SecondOrderID], "ListOrders did not list both orders: %v", out.ListedOrderIDs)
	logger.Printf("listed %d orders in %d pages", len(out.ListedOrderIDs), out.Pages)

	// 6. Errors, decoded from the status details.
	_, err = orders.CreateOrder(lattice.WithIdempotencyKey(ctx, lattice.NewIdempotencyKey()), orderRequest(0, ""))
	invalid := failure(err)
	check(invalid.Code == codes.InvalidArgument, "invalid order: %s %s", lattice.CodeName(invalid.Code), invalid.Message)
	for _, field := range []string{"lines[0].quantity", "payment_method_token"} {
		check(len(invalid.FieldViolations[field]) > 0, "no field violation for %s: %+v", field, invalid)
	}
	out.Invalid.Code, out.Invalid.Reason = lattice.CodeName(invalid.Code), invalid.Reason
	fields := make([]string, 0, len(invalid.FieldViolations))
	for field := range invalid.FieldViolations {
		fields = append(fields, field)
	}
	sort.Strings(fields)
	for _, field := range fields {
		for _, description := range invalid.FieldViolations[field] {
			out.Invalid.FieldViolations = append(out.Invalid.FieldViolations, fieldViolation{field, description})
		}
	}

	_, err = orders.CreateOrder(lattice.WithIdempotencyKey(ctx, firstKey), orderRequest(2, "tok_visa"))
	reused := failure(err)
	check(reused.Code == codes.AlreadyExists && reused.Reason == "IDEMPOTENCY_KEY_REUSED" && reused.Domain == "lattice.dev",
		"reused key: %+v", reused)
	out.Reused.Code, out.Reused.Reason, out.Reused.Domain = lattice.CodeName(reused.Code), reused.Reason, reused.Domain

	anonymousConn := dial(env("LATTICE_ORDERS_TARGET"))
	defer anonymousConn.Close()
	token, err := customer.AccessToken(ctx)
	must(err)
	forgedCtx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+forgedToken(token))
	_, err = ordersv1.NewOrdersServiceClient(anonymousConn).GetOrder(forgedCtx, &ordersv1.GetOrderRequest{OrderId: out.OrderID})
	forged := failure(err)
	check(forged.Code == codes.Unauthenticated && forged.Reason == "TOKEN_INVALID", "forged token: %+v", forged)
	out.Forged.Code, out.Forged.Reason = lattice.CodeName(forged.Code), forged.Reason
	logger.Printf("errors: %s %v, %s %s, %s %s", out.Invalid.Code, fields, out.Reused.Code, out.Reused.Reason,
		out.Forged.Code, out.Forged.Reason)

	// 7. Through the faulty proxy: the connection retries GetOrder (twice, after the pushback)
	// and does not retry CancelOrder.
	faultyConn := dial(env("LATTICE_ORDERS_FAULTY_TARGET"), lattice.WithSession(customer))
	defer faultyConn.Close()
	faulty := ordersv1.NewOrdersServiceClient(faultyConn)
	started := time.Now()
	retried, err := faulty.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: out.OrderID})
	elapsed := time.Since(started)
	must(err)
	out.Retried.OrderID = retried.GetOrder().GetId()
	out.Retried.Status = retried.GetOrder().GetStatus().String()
	out.Retried.ElapsedMs = elapsed.Round(time.Millisecond).Milliseconds()
	check(out.Retried.OrderID == out.OrderID, "the retried GetOrder returned %s", out.Retried.OrderID)
	check(retried.GetOrder().GetStatus() == ordersv1.OrderStatus_ORDER_STATUS_PAID, "the retried GetOrder is %s, not PAID",
		out.Retried.Status)

	current, err := orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: out.SecondOrderID})
	must(err)
	_, err = faulty.CancelOrder(ctx, &ordersv1.CancelOrderRequest{
		OrderId: out.SecondOrderID,
		Version: current.GetOrder().GetVersion(),
		Note:    "checkout",
	})
	notRetried := failure(err)
	check(notRetried.Code == codes.Unavailable && notRetried.Reason == "UPSTREAM_RESTARTING" && notRetried.RetryDelay != nil,
		"CancelOrder through the proxy: %+v", notRetried)
	out.NotRetried.Code, out.NotRetried.Reason = lattice.CodeName(notRetried.Code), notRetried.Reason
	out.NotRetried.RetryDelayMs = notRetried.RetryDelay.Round(time.Millisecond).Milliseconds()
	check(elapsed >= 2*(*notRetried.RetryDelay), "GetOrder through the proxy took %s, less than two pushbacks of %s",
		elapsed, *notRetried.RetryDelay)
	logger.Printf("GetOrder retried by the connection in %d ms; CancelOrder not retried: %s %s %d ms",
		out.Retried.ElapsedMs, out.NotRetried.Code, out.NotRetried.Reason, out.NotRetried.RetryDelayMs)
	return out
}

func main() {
	encoded, err := json.Marshal(checkout(context.Background()))
	must(err)
	fmt.Println(string(encoded))
}
