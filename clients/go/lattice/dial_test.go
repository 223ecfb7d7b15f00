package lattice_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	ordersv1 "lattice.dev/clients/go/gen/lattice/orders/v1"
	"lattice.dev/clients/go/lattice"
)

func dial(t *testing.T, target string, opts ...lattice.Option) ordersv1.OrdersServiceClient {
	t.Helper()
	conn, err := lattice.Dial(target, opts...)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return ordersv1.NewOrdersServiceClient(conn)
}

func login(t *testing.T, f *fake) *lattice.Session {
	t.Helper()
	identity, err := lattice.Dial(f.target)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { _ = identity.Close() })
	session, err := lattice.Login(context.Background(), identity, "acme", "a@b.test", "secret")
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	return session
}

func getOrder(ctx context.Context, orders ordersv1.OrdersServiceClient) (*ordersv1.GetOrderResponse, error) {
	return orders.GetOrder(ctx, &ordersv1.GetOrderRequest{OrderId: "o1"})
}

// assertDeadline: the server saw about timeout (gRPC rounds the grpc-timeout header up).
func assertDeadline(t *testing.T, call seen, timeout time.Duration) {
	t.Helper()
	if call.remaining <= timeout-time.Second || call.remaining > timeout+timeout/50 {
		t.Errorf("the server saw %v until the deadline, want about %v", call.remaining, timeout)
	}
}

func authorizations(calls []seen) []string {
	var values []string
	for _, call := range calls {
		values = append(values, call.header("authorization"))
	}
	return values
}

func equal(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n") && len(a) == len(b)
}

// Token and deadline.

func TestCallsCarryTheBearerTokenAndTheDefaultDeadline(t *testing.T) {
	f := startFake(t)
	if _, err := getOrder(context.Background(), dial(t, f.target, lattice.WithSession(login(t, f)))); err != nil {
		t.Fatal(err)
	}
	calls := f.seen("GetOrder")
	if len(calls) != 1 {
		t.Fatalf("%d calls, want 1", len(calls))
	}
	if got := calls[0].header("authorization"); got != "Bearer access-1" {
		t.Errorf("authorization %q", got)
	}
	assertDeadline(t, calls[0], lattice.DefaultTimeout)
}

func TestTheCallersDeadlineWins(t *testing.T) {
	f := startFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := getOrder(ctx, dial(t, f.target, lattice.WithSession(login(t, f)))); err != nil {
		t.Fatal(err)
	}
	if _, err := getOrder(context.Background(), dial(t, f.target, lattice.WithTimeout(2*time.Second))); err != nil {
		t.Fatal(err)
	}
	calls := f.seen("GetOrder")
	assertDeadline(t, calls[0], 3*time.Second)
	assertDeadline(t, calls[1], 2*time.Second)
}

func TestWithoutASessionNoToken(t *testing.T) {
	f := startFake(t)
	if _, err := getOrder(context.Background(), dial(t, f.target)); err != nil {
		t.Fatal(err)
	}
	if got := f.seen("GetOrder")[0].md.Get("authorization"); len(got) != 0 {
		t.Errorf("authorization %q without a session", got)
	}
}

func TestAnExplicitAuthorizationIsLeftAlone(t *testing.T) {
	f := startFake(t)
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer mine")
	if _, err := getOrder(ctx, dial(t, f.target, lattice.WithSession(login(t, f)))); err != nil {
		t.Fatal(err)
	}
	if got := f.seen("GetOrder")[0].md.Get("authorization"); !equal(got, []string{"Bearer mine"}) {
		t.Errorf("authorization %q, want only the caller's", got)
	}
}

func TestTheSessionIsPerRPCCredentialsOnAPlaintextConnection(t *testing.T) {
	f := startFake(t)
	session := login(t, f)
	conn, err := grpc.Dial(f.target, grpc.WithInsecure(), grpc.WithPerRPCCredentials(session))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := getOrder(ctx, ordersv1.NewOrdersServiceClient(conn)); err != nil {
		t.Fatal(err)
	}
	if got := f.seen("GetOrder")[0].header("authorization"); got != "Bearer access-1" {
		t.Errorf("authorization %q", got)
	}
}

func TestIdempotencyKey(t *testing.T) {
	f := startFake(t)
	orders := dial(t, f.target, lattice.WithSession(login(t, f)))
	key := lattice.NewIdempotencyKey()
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(key) {
		t.Errorf("key %q is not a version 4 UUID", key)
	}
	if key == lattice.NewIdempotencyKey() {
		t.Error("two fresh keys are equal")
	}
	request := &ordersv1.CreateOrderRequest{Lines: []*ordersv1.CreateOrderRequest_Line{{ProductId: "p", Quantity: 1}}}
	// An earlier key in the context is replaced, not sent beside the new one.
	earlier := lattice.WithIdempotencyKey(context.Background(), "earlier")
	for _, ctx := range []context.Context{lattice.WithIdempotencyKey(context.Background(), key), lattice.WithIdempotencyKey(earlier, key)} {
		created, err := orders.CreateOrder(ctx, request)
		if err != nil {
			t.Fatal(err)
		}
		if created.GetOrder().GetId() != key {
			t.Errorf("order %q, want the key %q", created.GetOrder().GetId(), key)
		}
	}
	for _, call := range f.seen("CreateOrder") {
		if got := call.md.Get(lattice.IdempotencyKeyHeader); !equal(got, []string{key}) {
			t.Errorf("idempotency-key %q, want [%s]", got, key)
		}
		if got := call.header("authorization"); got != "Bearer access-1" {
			t.Errorf("authorization %q", got)
		}
	}
}

// Session.

func TestLoginFailureIsDecoded(t *testing.T) {
	f := startFake(t)
	identity, err := lattice.Dial(f.target)
	if err != nil {
		t.Fatal(err)
	}
	defer identity.Close()
	_, err = lattice.Login(context.Background(), identity, "acme", "a@b.test", "wrong")
	if d := lattice.DetailsOf(err); d.Code != codes.Unauthenticated || d.Reason != "INVALID_CREDENTIALS" {
		t.Errorf("Login with a wrong password: %+v", d)
	}
}

func TestRefreshGivesANewToken(t *testing.T) {
	f := startFake(t)
	session := login(t, f)
	ctx := context.Background()
	old, err := session.AccessToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := session.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	current, _ := session.AccessToken(ctx)
	if old != "access-1" || renewed != "access-2" || current != "access-2" || f.refreshCount() != 1 {
		t.Errorf("old %q, refreshed %q, current %q, %d refreshes", old, renewed, current, f.refreshCount())
	}
}

func TestRefreshesBeforeExpiry(t *testing.T) {
	f := startFake(t)
	f.set(func(f *fake) { f.expiresIn = 30 }) // less than lattice.RefreshMargin
	orders := dial(t, f.target, lattice.WithSession(login(t, f)))
	for i := 0; i < 2; i++ {
		if _, err := getOrder(context.Background(), orders); err != nil {
			t.Fatal(err)
		}
	}
	if got := authorizations(f.seen("GetOrder")); !equal(got, []string{"Bearer access-2", "Bearer access-3"}) {
		t.Errorf("authorizations %q", got)
	}
}

func TestNoRefreshWhileTheTokenIsFresh(t *testing.T) {
	f := startFake(t)
	orders := dial(t, f.target, lattice.WithSession(login(t, f)))
	for i := 0; i < 2; i++ {
		if _, err := getOrder(context.Background(), orders); err != nil {
			t.Fatal(err)
		}
	}
	if f.refreshCount() != 0 {
		t.Errorf("%d refreshes of a fresh token", f.refreshCount())
	}
}

func TestRefreshesOnceOnTokenExpired(t *testing.T) {
	f := startFake(t)
	f.set(func(f *fake) { f.expired["access-1"] = true })
	response, err := getOrder(context.Background(), dial(t, f.target, lattice.WithSession(login(t, f))))
	if err != nil {
		t.Fatal(err)
	}
	if response.GetOrder().GetId() != "o1" {
		t.Errorf("order %q", response.GetOrder().GetId())
	}
	if got := authorizations(f.seen("GetOrder")); !equal(got, []string{"Bearer access-1", "Bearer access-2"}) {
		t.Errorf("authorizations %q", got)
	}
	if f.refreshCount() != 1 {
		t.Errorf("%d refreshes", f.refreshCount())
	}
}

func TestGivesUpAfterOneRefresh(t *testing.T) {
	f := startFake(t)
	f.set(func(f *fake) { f.expired["access-1"], f.expired["access-2"] = true, true })
	_, err := getOrder(context.Background(), dial(t, f.target, lattice.WithSession(login(t, f))))
	if d := lattice.DetailsOf(err); d.Code != codes.Unauthenticated || d.Reason != "TOKEN_EXPIRED" {
		t.Errorf("error %+v", d)
	}
	if len(f.seen("GetOrder")) != 2 || f.refreshCount() != 1 {
		t.Errorf("%d calls and %d refreshes, want 2 and 1", len(f.seen("GetOrder")), f.refreshCount())
	}
}

// Retries: gRPC's own, configured from the descriptors.

func TestRetriesAReadAfterThePushback(t *testing.T) {
	f := startFake(t)
	f.set(func(f *fake) { f.failAttempts, f.pushback = 2, 300*time.Millisecond })
	orders := dial(t, f.target, lattice.WithSession(login(t, f)))
	started := time.Now()
	response, err := getOrder(context.Background(), orders)
	elapsed := time.Since(started)
	if err != nil {
		t.Fatalf("GetOrder was not retried to success: %v", err)
	}
	if response.GetOrder().GetId() != "o1" {
		t.Errorf("order %q", response.GetOrder().GetId())
	}
	calls := f.seen("GetOrder")
	var attempts []string
	for _, call := range calls {
		attempts = append(attempts, call.header("grpc-previous-rpc-attempts"))
	}
	if !equal(attempts, []string{"", "1", "2"}) {
		t.Errorf("grpc-previous-rpc-attempts of the attempts %q, want [\"\" 1 2]", attempts)
	}
	for _, call := range calls {
		if call.header("authorization") != "Bearer access-1" {
			t.Errorf("an attempt without the token: %q", call.header("authorization"))
		}
	}
	// Backoff alone would wait at most 0.1 s + 0.2 s; the pushback makes it 2 x 0.3 s.
	if elapsed < 600*time.Millisecond || elapsed > 3*time.Second {
		t.Errorf("three attempts took %v, want two pushbacks of 300 ms", elapsed)
	}
}

func TestAtMostFiveAttempts(t *testing.T) {
	f := startFake(t)
	f.set(func(f *fake) { f.failAttempts, f.pushback = 100, 10*time.Millisecond })
	_, err := getOrder(context.Background(), dial(t, f.target))
	if d := lattice.DetailsOf(err); d.Code != codes.Unavailable {
		t.Errorf("error %+v", d)
	}
	if n := len(f.seen("GetOrder")); n != 5 {
		t.Errorf("%d attempts, want 5", n)
	}
}

func TestOnlyUnavailableIsRetried(t *testing.T) {
	f := startFake(t)
	f.set(func(f *fake) { f.failAttempts, f.failCode = 1, codes.Internal })
	if _, err := getOrder(context.Background(), dial(t, f.target)); err == nil {
		t.Fatal("GetOrder succeeded")
	}
	if n := len(f.seen("GetOrder")); n != 1 {
		t.Errorf("%d attempts of an INTERNAL failure, want 1", n)
	}
}

func TestAMethodWithoutIdempotencyLevelIsNotRetried(t *testing.T) {
	f := startFake(t)
	f.set(func(f *fake) { f.failAttempts = 1 })
	_, err := dial(t, f.target).CancelOrder(context.Background(), &ordersv1.CancelOrderRequest{OrderId: "o1", Version: 1})
	if d := lattice.DetailsOf(err); d.Code != codes.Unavailable || d.Reason != "UPSTREAM_RESTARTING" {
		t.Errorf("error %+v", d)
	}
	if n := len(f.seen("CancelOrder")); n != 1 {
		t.Errorf("%d attempts of CancelOrder, want 1", n)
	}
}

// Dial refuses to work without retries rather than silently not retrying: run in a child
// process, since grpc-go reads GRPC_GO_RETRY once at start-up.
func TestDialFailsWhenRetriesAreOff(t *testing.T) {
	if os.Getenv("LATTICE_TEST_CHILD") == "retries-off" {
		if _, err := lattice.Dial("127.0.0.1:1"); !errors.Is(err, lattice.ErrRetriesOff) {
			t.Fatalf("Dial without GRPC_GO_RETRY: %v, want ErrRetriesOff", err)
		}
		return
	}
	if os.Getenv("GRPC_GO_RETRY") != "on" {
		t.Fatal("run the tests with GRPC_GO_RETRY=on (clients/go/test does)")
	}
	child := exec.Command(os.Args[0], "-test.run=^TestDialFailsWhenRetriesAreOff$", "-test.v")
	for _, variable := range os.Environ() {
		if !strings.HasPrefix(variable, "GRPC_GO_RETRY=") {
			child.Env = append(child.Env, variable)
		}
	}
	child.Env = append(child.Env, "LATTICE_TEST_CHILD=retries-off")
	output, err := child.CombinedOutput()
	if err != nil || !strings.Contains(string(output), "--- PASS: TestDialFailsWhenRetriesAreOff") {
		t.Errorf("the child without GRPC_GO_RETRY: %v\n%s", err, output)
	}
}
