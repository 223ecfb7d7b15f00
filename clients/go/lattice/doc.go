// Package lattice is a thin helper over the generated Lattice stubs (lattice.dev/clients/go/gen/...).
//
// The generated code is the API; this package only configures what every call needs:
//
//   - Dial: a *grpc.ClientConn whose calls get a deadline (DefaultTimeout unless the context has
//     one), the session's bearer token (WithSession) and gRPC's own retries of the RPCs the
//     contracts mark NO_SIDE_EFFECTS or IDEMPOTENT (ServiceConfig);
//   - Session: logs in, refreshes the access token before it expires and once more when a call
//     fails with UNAUTHENTICATED reason TOKEN_EXPIRED; it is a credentials.PerRPCCredentials;
//   - NewIdempotencyKey, WithIdempotencyKey: the idempotency-key metadata of keyed writes;
//   - DetailsOf: the google.rpc.Status details of a failed call, typed.
//
// Retries need GRPC_GO_RETRY=on in the environment when the process starts: grpc-go before 1.42
// (Debian 12 ships 1.33) reads it once at start-up and has no dial option to turn retries on.
// Dial refuses to build a connection without it (ErrRetriesOff) rather than silently not
// retrying.
//
//	identity, err := lattice.Dial("127.0.0.1:12101")
//	session, err := lattice.Login(ctx, identity, "platform", email, password)
//	conn, err := lattice.Dial("127.0.0.1:12102", lattice.WithSession(session))
//	orders := ordersv1.NewOrdersServiceClient(conn)
//	key := lattice.NewIdempotencyKey()
//	created, err := orders.CreateOrder(lattice.WithIdempotencyKey(ctx, key), request)
//	if err != nil {
//		details := lattice.DetailsOf(err) // Code, Reason, FieldViolations, RetryDelay, ...
//	}
package lattice
