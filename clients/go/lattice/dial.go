package lattice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/encoding"
	"google.golang.org/protobuf/proto"

	identityv1 "lattice.dev/clients/go/gen/lattice/identity/v1"
)

// DefaultTimeout is the deadline of a call whose context has none.
const DefaultTimeout = 10 * time.Second

// ErrRetriesOff is Dial's error when grpc-go's retries are off in this process: grpc-go before
// 1.42 retries only when the environment variable GRPC_GO_RETRY=on was set when the process
// started (it is read once, by grpc's internal/envconfig, and no dial option turns retries on).
var ErrRetriesOff = errors.New("lattice: gRPC retries are off in this process: start it with GRPC_GO_RETRY=on " +
	"(grpc-go " + grpc.Version + " reads it once at start-up)")

// retriesOn tells whether grpc-go retries in this process. Before grpc-go 1.42 retries are off
// unless GRPC_GO_RETRY=on (internal/envconfig's rule, read here the same way right after grpc's
// own packages are initialised); from 1.42 they are on unless GRPC_GO_RETRY=off.
var retriesOn = retriesEnabled(grpc.Version, os.Getenv("GRPC_GO_RETRY"))

func retriesEnabled(version, env string) bool {
	parts := strings.SplitN(version, ".", 3)
	major, _ := strconv.Atoi(parts[0])
	minor := 0
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	if major == 1 && minor < 42 {
		return strings.EqualFold(env, "on")
	}
	return !strings.EqualFold(env, "off")
}

// Option configures Dial.
type Option func(*dialConfig)

type dialConfig struct {
	session   *Session
	timeout   time.Duration
	transport credentials.TransportCredentials
	extra     []grpc.DialOption
}

// WithSession makes every call carry the session's bearer token (see Session).
func WithSession(s *Session) Option { return func(c *dialConfig) { c.session = s } }

// WithTimeout sets the deadline of calls whose context has none (DefaultTimeout otherwise).
func WithTimeout(d time.Duration) Option { return func(c *dialConfig) { c.timeout = d } }

// WithTransportCredentials makes the connection use TLS (credentials.NewTLS); it is plaintext
// otherwise, as the Lattice mesh is behind its edge.
func WithTransportCredentials(tc credentials.TransportCredentials) Option {
	return func(c *dialConfig) { c.transport = tc }
}

// WithDialOptions adds grpc-go dial options, applied after the helper's own.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *dialConfig) { c.extra = append(c.extra, opts...) }
}

// Dial connects to a Lattice service (host:port) for the generated stubs. Every unary call
// through the connection:
//
//   - has a deadline: DefaultTimeout (or WithTimeout) unless its context has one; the deadline
//     covers every attempt;
//   - carries authorization: Bearer <token> from the session given WithSession, and is repeated
//     once with a refreshed token after UNAUTHENTICATED reason TOKEN_EXPIRED;
//   - is retried by gRPC itself (ServiceConfig) when the contracts mark the method NO_SIDE_EFFECTS
//     or IDEMPOTENT and an attempt fails UNAVAILABLE, honouring the server's
//     grpc-retry-pushback-ms; each repeated attempt says grpc-previous-rpc-attempts.
//
// Like grpc.Dial it does not wait for the connection. It fails with ErrRetriesOff when retries
// are off in this process (see the package documentation).
func Dial(target string, opts ...Option) (*grpc.ClientConn, error) {
	if !retriesOn {
		return nil, ErrRetriesOff
	}
	if err := codecWorks(); err != nil {
		return nil, err
	}
	config := dialConfig{timeout: DefaultTimeout}
	for _, opt := range opts {
		opt(&config)
	}
	dialOptions := []grpc.DialOption{grpc.WithDefaultServiceConfig(ServiceConfig())}
	if config.transport != nil {
		dialOptions = append(dialOptions, grpc.WithTransportCredentials(config.transport))
	} else {
		dialOptions = append(dialOptions, grpc.WithInsecure())
	}
	interceptors := []grpc.UnaryClientInterceptor{defaultDeadline(config.timeout)}
	if config.session != nil {
		dialOptions = append(dialOptions, grpc.WithPerRPCCredentials(config.session))
		interceptors = append(interceptors, config.session.UnaryClientInterceptor())
	}
	dialOptions = append(dialOptions, grpc.WithChainUnaryInterceptor(interceptors...))
	return grpc.Dial(target, append(dialOptions, config.extra...)...)
}

// defaultDeadline gives a call without a deadline one of timeout; outermost, so that a repeat
// after a token refresh and gRPC's retries stay within it.
func defaultDeadline(timeout time.Duration) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply interface{}, cc *grpc.ClientConn,
		invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

var (
	codecOnce  sync.Once
	codecError error
)

// codecWorks checks once that grpc-go's proto codec encodes the generated messages (protoc-gen-go
// APIv2 code) as google.golang.org/protobuf does. It does not with github.com/golang/protobuf
// 1.3, which grpc-go 1.33 may be installed with (Debian's golang-github-golang-protobuf-1-3-dev):
// that one crashes on a oneof, as in LoginRequest.
func codecWorks() error {
	codecOnce.Do(func() {
		probe := &identityv1.LoginRequest{Tenant: &identityv1.LoginRequest_TenantSlug{TenantSlug: "probe"}, Email: "a@b.c"}
		want, err := proto.Marshal(probe)
		if err != nil {
			codecError = err
			return
		}
		got, err := encodeWithGrpcCodec(probe)
		if err == nil && !bytes.Equal(got, want) {
			err = fmt.Errorf("it encodes %x, not %x", got, want)
		}
		if err != nil {
			codecError = fmt.Errorf("lattice: grpc-go's proto codec cannot encode the generated messages (%v): "+
				"it needs github.com/golang/protobuf 1.4 or later (Debian: golang-github-golang-protobuf-1-5-dev, "+
				"in place of golang-github-golang-protobuf-1-3-dev)", err)
		}
	})
	return codecError
}

func encodeWithGrpcCodec(message proto.Message) (encoded []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return encoding.GetCodec("proto").Marshal(message)
}
