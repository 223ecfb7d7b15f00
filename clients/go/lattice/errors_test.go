package lattice_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	ordersv1 "lattice.dev/clients/go/gen/lattice/orders/v1"
	"lattice.dev/clients/go/lattice"
)

func TestFieldViolationsOverTheWire(t *testing.T) {
	f := startFake(t)
	_, err := dial(t, f.target).CreateOrder(context.Background(), &ordersv1.CreateOrderRequest{
		Lines: []*ordersv1.CreateOrderRequest_Line{{ProductId: "a", Quantity: 1}, {ProductId: "b", Quantity: 0}},
	})
	d := lattice.DetailsOf(err)
	if d.Code != codes.InvalidArgument || lattice.CodeName(d.Code) != "INVALID_ARGUMENT" {
		t.Errorf("code %v", d.Code)
	}
	if d.Reason != "INVALID_ARGUMENT" || d.Domain != "lattice.dev" || d.Message != "invalid request" {
		t.Errorf("details %+v", d)
	}
	want := map[string][]string{"lines[1].quantity": {"must be greater than or equal to 1"}}
	if !reflect.DeepEqual(d.FieldViolations, want) {
		t.Errorf("field violations %q, want %q", d.FieldViolations, want)
	}
	if d.RetryDelay != nil {
		t.Errorf("retry delay %v without RetryInfo", *d.RetryDelay)
	}
}

func TestRetryInfoOverTheWire(t *testing.T) {
	f := startFake(t)
	f.set(func(f *fake) { f.failAttempts, f.pushback = 1, 1500*time.Millisecond })
	_, err := dial(t, f.target).CancelOrder(context.Background(), &ordersv1.CancelOrderRequest{OrderId: "o", Version: 1})
	d := lattice.DetailsOf(err)
	if d.Code != codes.Unavailable || d.Reason != "UPSTREAM_RESTARTING" || d.Message != "upstream restarting" {
		t.Errorf("details %+v", d)
	}
	if d.RetryDelay == nil || *d.RetryDelay != 1500*time.Millisecond {
		t.Errorf("retry delay %v, want 1.5s", d.RetryDelay)
	}
}

func TestEveryDetailOfAStatus(t *testing.T) {
	st, err := status.New(codes.Aborted, "stale").WithDetails(
		&errdetails.DebugInfo{Detail: "ignored"},
		&errdetails.ErrorInfo{Reason: "VERSION_MISMATCH", Domain: "lattice.dev", Metadata: map[string]string{"current_version": "7"}},
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "version", Description: "too old"}, {Field: "note", Description: "long"}, {Field: "version", Description: "really"},
		}},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(1250 * time.Millisecond)},
	)
	if err != nil {
		t.Fatal(err)
	}
	d := lattice.DetailsOf(st.Err())
	if d.Code != codes.Aborted || d.Message != "stale" || d.Reason != "VERSION_MISMATCH" || d.Domain != "lattice.dev" {
		t.Errorf("details %+v", d)
	}
	if !reflect.DeepEqual(d.Metadata, map[string]string{"current_version": "7"}) {
		t.Errorf("metadata %v", d.Metadata)
	}
	want := map[string][]string{"version": {"too old", "really"}, "note": {"long"}}
	if !reflect.DeepEqual(d.FieldViolations, want) {
		t.Errorf("field violations %q, want %q", d.FieldViolations, want)
	}
	if d.RetryDelay == nil || *d.RetryDelay != 1250*time.Millisecond {
		t.Errorf("retry delay %v, want 1.25s", d.RetryDelay)
	}
}

func TestAnErrorWithoutDetails(t *testing.T) {
	d := lattice.DetailsOf(status.Error(codes.Internal, "boom"))
	want := lattice.ErrorDetails{Code: codes.Internal, Message: "boom"}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("details %+v, want %+v", d, want)
	}
	if d := lattice.DetailsOf(errors.New("not a status")); d.Code != codes.Unknown || d.Message != "not a status" {
		t.Errorf("a plain error: %+v", d)
	}
	if d := lattice.DetailsOf(nil); d.Code != codes.OK {
		t.Errorf("no error: %+v", d)
	}
}

func TestCodeNames(t *testing.T) {
	for c, want := range map[codes.Code]string{
		codes.OK: "OK", codes.Canceled: "CANCELLED", codes.InvalidArgument: "INVALID_ARGUMENT",
		codes.AlreadyExists: "ALREADY_EXISTS", codes.Unavailable: "UNAVAILABLE", codes.Unauthenticated: "UNAUTHENTICATED",
	} {
		if got := lattice.CodeName(c); got != want {
			t.Errorf("CodeName(%v) = %q, want %q", c, got, want)
		}
	}
}
