package lattice

import (
	"context"
	"crypto/rand"
	"fmt"

	"google.golang.org/grpc/metadata"
)

// IdempotencyKeyHeader is the metadata key of the idempotency key that the contracts' IDEMPOTENT
// writes (CreateOrder, RefundOrder, RefundPayment) require.
const IdempotencyKeyHeader = "idempotency-key"

// NewIdempotencyKey is a fresh random key (a version 4 UUID), one per logical operation.
func NewIdempotencyKey() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("lattice: no randomness for an idempotency key: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// WithIdempotencyKey returns a context whose calls send key as idempotency-key metadata,
// replacing any key ctx already had. Use a new key for each operation and the same key to repeat
// one: the server then returns the stored result instead of acting twice.
//
//	key := lattice.NewIdempotencyKey()
//	created, err := orders.CreateOrder(lattice.WithIdempotencyKey(ctx, key), request)
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	md, _ := metadata.FromOutgoingContext(ctx)
	md = md.Copy()
	md.Set(IdempotencyKeyHeader, key)
	return metadata.NewOutgoingContext(ctx, md)
}
