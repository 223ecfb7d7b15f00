package lattice_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	identityv1 "lattice.dev/clients/go/gen/lattice/identity/v1"
	ordersv1 "lattice.dev/clients/go/gen/lattice/orders/v1"
)

// A tiny in-process Lattice (identity and orders) on a loopback port: real gRPC with the generated
// servers, recording what each call carried, failing the way Lattice does (a google.rpc.Status
// with ErrorInfo, BadRequest, RetryInfo, the delay repeated as grpc-retry-pushback-ms).

// seen is what one call carried.
type seen struct {
	md        metadata.MD
	remaining time.Duration // until the call's deadline; 0 without one
}

func (s seen) header(key string) string {
	if values := s.md.Get(key); len(values) > 0 {
		return strings.Join(values, ",")
	}
	return ""
}

type fake struct {
	target string

	mu           sync.Mutex
	expiresIn    int32
	generation   int
	refreshes    int
	expired      map[string]bool // access tokens that get TOKEN_EXPIRED
	failAttempts int             // GetOrder and CancelOrder fail this many attempts first
	failCode     codes.Code
	pushback     time.Duration // RetryInfo and grpc-retry-pushback-ms of those failures
	calls        map[string][]seen
}

func startFake(t *testing.T) *fake {
	t.Helper()
	f := &fake{expiresIn: 900, generation: 1, expired: map[string]bool{}, failCode: codes.Unavailable,
		pushback: 200 * time.Millisecond, calls: map[string][]seen{}}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := grpc.NewServer()
	identityv1.RegisterIdentityServiceServer(server, fakeIdentity{f: f})
	ordersv1.RegisterOrdersServiceServer(server, fakeOrders{f: f})
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(server.Stop)
	f.target = listener.Addr().String()
	return f
}

func (f *fake) set(change func(f *fake)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

// seen returns the calls of one method so far.
func (f *fake) seen(method string) []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.calls[method]...)
}

func (f *fake) refreshCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refreshes
}

// latticeError is a status as Lattice sends it, with a detail the helper does not decode.
func latticeError(code codes.Code, message, reason string, violations [][2]string, retry time.Duration) error {
	st := status.New(code, message)
	info := &errdetails.ErrorInfo{Reason: reason, Domain: "lattice.dev"}
	var err error
	if st, err = st.WithDetails(info); err != nil {
		panic(err)
	}
	if len(violations) > 0 {
		bad := &errdetails.BadRequest{}
		for _, v := range violations {
			bad.FieldViolations = append(bad.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v[0], Description: v[1]})
		}
		if st, err = st.WithDetails(bad); err != nil {
			panic(err)
		}
	}
	if retry > 0 {
		if st, err = st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(retry)}); err != nil {
			panic(err)
		}
	}
	if st, err = st.WithDetails(&errdetails.DebugInfo{Detail: "trace 42"}); err != nil {
		panic(err)
	}
	return st.Err()
}

type fakeIdentity struct {
	identityv1.UnimplementedIdentityServiceServer
	f *fake
}

func (i fakeIdentity) tokens() (string, string, int32) {
	n := i.f.generation
	return fmt.Sprintf("access-%d", n), fmt.Sprintf("refresh-%d", n), i.f.expiresIn
}

func (i fakeIdentity) Login(_ context.Context, request *identityv1.LoginRequest) (*identityv1.LoginResponse, error) {
	if request.GetPassword() != "secret" || request.GetTenantSlug() != "acme" {
		return nil, latticeError(codes.Unauthenticated, "invalid credentials", "INVALID_CREDENTIALS", nil, 0)
	}
	i.f.mu.Lock()
	defer i.f.mu.Unlock()
	access, refresh, expiresIn := i.tokens()
	return &identityv1.LoginResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: expiresIn, RefreshToken: refresh}, nil
}

func (i fakeIdentity) RefreshToken(_ context.Context, request *identityv1.RefreshTokenRequest) (*identityv1.RefreshTokenResponse, error) {
	i.f.mu.Lock()
	defer i.f.mu.Unlock()
	if request.GetRefreshToken() != fmt.Sprintf("refresh-%d", i.f.generation) {
		return nil, latticeError(codes.Unauthenticated, "spent", "REFRESH_TOKEN_REUSED", nil, 0)
	}
	i.f.generation++
	i.f.refreshes++
	access, refresh, expiresIn := i.tokens()
	return &identityv1.RefreshTokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: expiresIn, RefreshToken: refresh}, nil
}

type fakeOrders struct {
	ordersv1.UnimplementedOrdersServiceServer
	f *fake
}

// record notes the call and fails it as the fake's knobs say.
func (o fakeOrders) record(ctx context.Context, method string, mayFail bool) (seen, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	call := seen{md: md.Copy()}
	if deadline, ok := ctx.Deadline(); ok {
		call.remaining = time.Until(deadline)
	}
	o.f.mu.Lock()
	defer o.f.mu.Unlock()
	o.f.calls[method] = append(o.f.calls[method], call)
	if o.f.expired[strings.TrimPrefix(call.header("authorization"), "Bearer ")] {
		return call, latticeError(codes.Unauthenticated, "token expired", "TOKEN_EXPIRED", nil, 0)
	}
	if mayFail && len(o.f.calls[method]) <= o.f.failAttempts {
		if o.f.pushback > 0 {
			pushback := strconv.FormatInt(o.f.pushback.Milliseconds(), 10)
			if err := grpc.SetTrailer(ctx, metadata.Pairs("grpc-retry-pushback-ms", pushback)); err != nil {
				return call, err
			}
		}
		return call, latticeError(o.f.failCode, "upstream restarting", "UPSTREAM_RESTARTING", nil, o.f.pushback)
	}
	return call, nil
}

func (o fakeOrders) GetOrder(ctx context.Context, request *ordersv1.GetOrderRequest) (*ordersv1.GetOrderResponse, error) {
	if _, err := o.record(ctx, "GetOrder", true); err != nil {
		return nil, err
	}
	return &ordersv1.GetOrderResponse{Order: &ordersv1.Order{Id: request.GetOrderId(), Status: ordersv1.OrderStatus_ORDER_STATUS_PAID}}, nil
}

func (o fakeOrders) CancelOrder(ctx context.Context, request *ordersv1.CancelOrderRequest) (*ordersv1.CancelOrderResponse, error) {
	if _, err := o.record(ctx, "CancelOrder", true); err != nil {
		return nil, err
	}
	return &ordersv1.CancelOrderResponse{Order: &ordersv1.Order{Id: request.GetOrderId(), Status: ordersv1.OrderStatus_ORDER_STATUS_CANCELLED}}, nil
}

func (o fakeOrders) CreateOrder(ctx context.Context, request *ordersv1.CreateOrderRequest) (*ordersv1.CreateOrderResponse, error) {
	call, err := o.record(ctx, "CreateOrder", false)
	if err != nil {
		return nil, err
	}
	var violations [][2]string
	for i, line := range request.GetLines() {
		if line.GetQuantity() < 1 {
			violations = append(violations, [2]string{fmt.Sprintf("lines[%d].quantity", i), "must be greater than or equal to 1"})
		}
	}
	if len(violations) > 0 {
		return nil, latticeError(codes.InvalidArgument, "invalid request", "INVALID_ARGUMENT", violations, 0)
	}
	return &ordersv1.CreateOrderResponse{Order: &ordersv1.Order{Id: call.header("idempotency-key")}}, nil
}
