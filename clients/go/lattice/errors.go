package lattice

import (
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrorDetails is the gRPC code and the decoded google.rpc.Status details of one failed call.
//
// Every Lattice error sends a google.rpc.Status in the grpc-status-details-bin trailer, which
// grpc-go decodes into the status of the returned error: an ErrorInfo (reason, domain
// "lattice.dev", metadata), with INVALID_ARGUMENT a BadRequest (violations by field path) and,
// when waiting helps, a RetryInfo. Nothing is matched in message strings.
type ErrorDetails struct {
	// Code is the gRPC status code; CodeName gives its canonical upper-case name.
	Code codes.Code
	// Message is the status message, for people; never parse it.
	Message string
	// Reason is ErrorInfo.reason, e.g. "IDEMPOTENCY_KEY_REUSED"; empty without an ErrorInfo.
	Reason string
	// Domain is ErrorInfo.domain: "lattice.dev" for Lattice's own errors.
	Domain string
	// Metadata is ErrorInfo.metadata, e.g. the permission a caller lacks; nil without any.
	Metadata map[string]string
	// FieldViolations are BadRequest's violations: field path ("lines[0].quantity") to
	// descriptions in the order the server gave them; nil without a BadRequest.
	FieldViolations map[string][]string
	// RetryDelay is RetryInfo.retry_delay, how long to wait before trying again; nil when the
	// server sent no RetryInfo.
	RetryDelay *time.Duration
}

// DetailsOf decodes the status of err, an error returned by a generated stub. An error that is
// not a gRPC status gives code Unknown with its text as the message; nil gives code OK.
func DetailsOf(err error) ErrorDetails {
	st := status.Convert(err)
	details := ErrorDetails{Code: st.Code(), Message: st.Message()}
	for _, detail := range st.Details() {
		switch d := detail.(type) {
		case *errdetails.ErrorInfo:
			details.Reason, details.Domain = d.GetReason(), d.GetDomain()
			if len(d.GetMetadata()) > 0 {
				details.Metadata = d.GetMetadata()
			}
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				if details.FieldViolations == nil {
					details.FieldViolations = map[string][]string{}
				}
				details.FieldViolations[v.GetField()] = append(details.FieldViolations[v.GetField()], v.GetDescription())
			}
		case *errdetails.RetryInfo:
			delay := d.GetRetryDelay()
			wait := time.Duration(delay.GetSeconds())*time.Second + time.Duration(delay.GetNanos())
			details.RetryDelay = &wait
		}
		// Other detail types (DebugInfo, ...) and undecodable ones (an error) are ignored.
	}
	return details
}

// CodeName is the canonical upper-case name of a gRPC code, e.g. "INVALID_ARGUMENT", as the
// google.rpc.Code enum names it (codes.Code.String gives "InvalidArgument").
func CodeName(c codes.Code) string {
	return code.Code(c).String()
}
