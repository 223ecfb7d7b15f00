package lattice

import (
	"encoding/json"
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	// Every service of the contracts, so that their descriptors are registered whatever the
	// program itself imports: the retry policy must cover all of them.
	_ "lattice.dev/clients/go/gen/lattice/audit/v1"
	_ "lattice.dev/clients/go/gen/lattice/identity/v1"
	_ "lattice.dev/clients/go/gen/lattice/inventory/v1"
	_ "lattice.dev/clients/go/gen/lattice/notifications/v1"
	_ "lattice.dev/clients/go/gen/lattice/operations/v1"
	_ "lattice.dev/clients/go/gen/lattice/orders/v1"
	_ "lattice.dev/clients/go/gen/lattice/payments/v1"
)

// retryPolicy is gRPC's retry policy (gRFC A6) of the retryable RPCs: only UNAVAILABLE, at most 5
// attempts (the first included), exponential backoff 100 ms, 200 ms, ... up to 2 s, each delay
// jittered by gRPC; a server's grpc-retry-pushback-ms replaces the delay.
var retryPolicy = map[string]interface{}{
	"maxAttempts":          5,
	"initialBackoff":       "0.1s",
	"maxBackoff":           "2s",
	"backoffMultiplier":    2,
	"retryableStatusCodes": []string{"UNAVAILABLE"},
}

// MethodName names one method in a gRPC service config.
type MethodName struct {
	Service string `json:"service"`
	Method  string `json:"method"`
}

// RetryableMethods are the RPCs of the contracts (services in packages lattice.*) whose
// idempotency_level is NO_SIDE_EFFECTS or IDEMPOTENT, read from the generated descriptors
// (protoregistry.GlobalFiles), sorted.
func RetryableMethods() []MethodName {
	var names []MethodName
	protoregistry.GlobalFiles.RangeFiles(func(file protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(file.Package()), "lattice.") {
			return true
		}
		services := file.Services()
		for i := 0; i < services.Len(); i++ {
			service := services.Get(i)
			methods := service.Methods()
			for j := 0; j < methods.Len(); j++ {
				method := methods.Get(j)
				options, _ := method.Options().(*descriptorpb.MethodOptions)
				switch options.GetIdempotencyLevel() {
				case descriptorpb.MethodOptions_NO_SIDE_EFFECTS, descriptorpb.MethodOptions_IDEMPOTENT:
					names = append(names, MethodName{string(service.FullName()), string(method.Name())})
				}
			}
		}
		return true
	})
	sort.Slice(names, func(i, j int) bool {
		if names[i].Service != names[j].Service {
			return names[i].Service < names[j].Service
		}
		return names[i].Method < names[j].Method
	})
	return names
}

type methodConfig struct {
	Name        []MethodName           `json:"name"`
	RetryPolicy map[string]interface{} `json:"retryPolicy"`
}

type serviceConfig struct {
	MethodConfig []methodConfig `json:"methodConfig"`
}

// ServiceConfig is the gRPC service config (JSON) that Dial gives every connection: the
// RetryableMethods, each with the same retry policy (only UNAVAILABLE, at most 5 attempts,
// backoff from 100 ms to 2 s, doubling; the server's pushback honoured), and nothing else.
func ServiceConfig() string {
	config := serviceConfig{MethodConfig: []methodConfig{{
		Name:        RetryableMethods(),
		RetryPolicy: retryPolicy,
	}}}
	encoded, err := json.Marshal(config)
	if err != nil {
		panic(err) // plain structs of strings and numbers always encode
	}
	return string(encoded)
}
