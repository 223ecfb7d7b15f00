package lattice

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	identityv1 "lattice.dev/clients/go/gen/lattice/identity/v1"
)

// RefreshMargin is how long before the access token expires a Session refreshes it (Lattice's
// access tokens live 15 minutes).
const RefreshMargin = time.Minute

// Session holds one user's tokens and gives every call a valid access token.
//
// Create it with Login and give it to Dial with WithSession. It is a
// credentials.PerRPCCredentials, so grpc.WithPerRPCCredentials(session) works on any connection
// too; add session.UnaryClientInterceptor() there for the refresh on TOKEN_EXPIRED.
//
// The access token is refreshed (IdentityService.RefreshToken, which spends the single-use
// refresh token and returns new tokens) when less than RefreshMargin of its life remains, and once
// more when a call fails with UNAUTHENTICATED reason TOKEN_EXPIRED. A Session is safe for
// concurrent use: calls never spend the same refresh token twice (reusing one revokes the
// session).
type Session struct {
	identity identityv1.IdentityServiceClient
	user     *identityv1.User

	mu        sync.Mutex
	access    string
	refresh   string
	expiresAt time.Time // on the monotonic clock: immune to wall clock changes
}

// Login signs in with IdentityService.Login (tenant slug, email, password). identity is a
// connection to IdentityService, normally lattice.Dial(target) without a session (Login is
// public); the session refreshes through it. The error is Login's, e.g. UNAUTHENTICATED reason
// INVALID_CREDENTIALS (see DetailsOf).
func Login(ctx context.Context, identity grpc.ClientConnInterface, tenant, email, password string) (*Session, error) {
	client := identityv1.NewIdentityServiceClient(identity)
	response, err := client.Login(ctx, &identityv1.LoginRequest{
		Tenant:   &identityv1.LoginRequest_TenantSlug{TenantSlug: tenant},
		Email:    email,
		Password: password,
	})
	if err != nil {
		return nil, err
	}
	s := &Session{identity: client, user: response.GetUser()}
	s.store(response.GetAccessToken(), response.GetRefreshToken(), response.GetExpiresIn())
	return s, nil
}

// User is the signed-in user as Login returned it.
func (s *Session) User() *identityv1.User { return s.user }

// AccessToken is a valid access token, refreshed first when it is about to expire.
func (s *Session) AccessToken(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Now().Before(s.expiresAt.Add(-RefreshMargin)) {
		return s.access, nil
	}
	return s.refreshLocked(ctx)
}

// Refresh exchanges the refresh token for new tokens now and returns the new access token.
func (s *Session) Refresh(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshLocked(ctx)
}

// refreshReplacing refreshes only while stale is still the current access token: calls that fail
// together with TOKEN_EXPIRED refresh once, and the others take the new token.
func (s *Session) refreshReplacing(ctx context.Context, stale string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access != stale {
		return s.access, nil
	}
	return s.refreshLocked(ctx)
}

func (s *Session) refreshLocked(ctx context.Context) (string, error) {
	response, err := s.identity.RefreshToken(ctx, &identityv1.RefreshTokenRequest{RefreshToken: s.refresh})
	if err != nil {
		return "", err
	}
	s.store(response.GetAccessToken(), response.GetRefreshToken(), response.GetExpiresIn())
	return s.access, nil
}

func (s *Session) store(access, refresh string, expiresIn int32) {
	s.access, s.refresh = access, refresh
	s.expiresAt = time.Now().Add(time.Duration(expiresIn) * time.Second)
}

// GetRequestMetadata implements credentials.PerRPCCredentials: authorization: Bearer <access
// token> on every attempt of every call, except a call whose outgoing metadata already has its
// own authorization (left alone).
func (s *Session) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	if hasAuthorization(ctx) {
		return nil, nil
	}
	token, chosen := ctx.Value(tokenKey{s}).(string)
	if !chosen {
		var err error
		if token, err = s.AccessToken(ctx); err != nil {
			return nil, err
		}
	}
	return map[string]string{"authorization": "Bearer " + token}, nil
}

// tokenKey marks, in a call's context, the token that the session's interceptor chose for it, so
// that every attempt sends that token and a TOKEN_EXPIRED refreshes exactly it.
type tokenKey struct{ session *Session }

// RequireTransportSecurity implements credentials.PerRPCCredentials. It is false so that the
// token may travel on plaintext connections: the Lattice mesh speaks plaintext gRPC behind its
// edge. Use TLS (WithTransportCredentials) wherever the network is not trusted.
func (s *Session) RequireTransportSecurity() bool { return false }

// UnaryClientInterceptor repeats a call once, with a refreshed token, when it fails with
// UNAUTHENTICATED reason TOKEN_EXPIRED (the token expired in flight, or the clocks disagree).
// Dial's WithSession installs it.
func (s *Session) UnaryClientInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply interface{}, cc *grpc.ClientConn,
		invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if hasAuthorization(ctx) {
			return invoker(ctx, method, req, reply, cc, opts...)
		}
		token, err := s.AccessToken(ctx)
		if err != nil {
			return err
		}
		err = invoker(context.WithValue(ctx, tokenKey{s}, token), method, req, reply, cc, opts...)
		if err == nil {
			return nil
		}
		if details := DetailsOf(err); details.Code != codes.Unauthenticated || details.Reason != "TOKEN_EXPIRED" {
			return err
		}
		if token, err = s.refreshReplacing(ctx, token); err != nil {
			return err
		}
		return invoker(context.WithValue(ctx, tokenKey{s}, token), method, req, reply, cc, opts...)
	}
}

func hasAuthorization(ctx context.Context) bool {
	md, _ := metadata.FromOutgoingContext(ctx)
	return len(md.Get("authorization")) > 0
}
