package lattice_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	auditv1 "lattice.dev/clients/go/gen/lattice/audit/v1"
	identityv1 "lattice.dev/clients/go/gen/lattice/identity/v1"
	inventoryv1 "lattice.dev/clients/go/gen/lattice/inventory/v1"
	notificationsv1 "lattice.dev/clients/go/gen/lattice/notifications/v1"
	operationsv1 "lattice.dev/clients/go/gen/lattice/operations/v1"
	ordersv1 "lattice.dev/clients/go/gen/lattice/orders/v1"
	paymentsv1 "lattice.dev/clients/go/gen/lattice/payments/v1"
	"lattice.dev/clients/go/lattice"
)

// The service files of the contracts, named here only to check the helper's discovery.
var serviceFiles = []protoreflect.FileDescriptor{
	auditv1.File_lattice_audit_v1_audit_service_proto,
	identityv1.File_lattice_identity_v1_identity_service_proto,
	inventoryv1.File_lattice_inventory_v1_inventory_service_proto,
	notificationsv1.File_lattice_notifications_v1_notifications_service_proto,
	operationsv1.File_lattice_operations_v1_operations_service_proto,
	ordersv1.File_lattice_orders_v1_orders_service_proto,
	paymentsv1.File_lattice_payments_v1_payments_service_proto,
}

type serviceConfig struct {
	MethodConfig []struct {
		Name        []lattice.MethodName   `json:"name"`
		RetryPolicy map[string]interface{} `json:"retryPolicy"`
		Timeout     *string                `json:"timeout"`
	} `json:"methodConfig"`
}

func parsedServiceConfig(t *testing.T) serviceConfig {
	t.Helper()
	var config serviceConfig
	if err := json.Unmarshal([]byte(lattice.ServiceConfig()), &config); err != nil {
		t.Fatal(err)
	}
	if len(config.MethodConfig) != 1 {
		t.Fatalf("%d method configs, want 1", len(config.MethodConfig))
	}
	return config
}

func configured(t *testing.T) map[string]bool {
	names := map[string]bool{}
	for _, name := range parsedServiceConfig(t).MethodConfig[0].Name {
		names[name.Service+"/"+name.Method] = true
	}
	return names
}

func TestNamesExactlyTheMethodsMarkedInTheDescriptors(t *testing.T) {
	expected := map[string]bool{}
	services := 0
	for _, file := range serviceFiles {
		// The options as serialized in the descriptor, not the helper's route to them.
		proto := protodesc.ToFileDescriptorProto(file)
		for _, service := range proto.GetService() {
			services++
			for _, method := range service.GetMethod() {
				switch method.GetOptions().GetIdempotencyLevel() {
				case descriptorpb.MethodOptions_NO_SIDE_EFFECTS, descriptorpb.MethodOptions_IDEMPOTENT:
					expected[proto.GetPackage()+"."+service.GetName()+"/"+method.GetName()] = true
				}
			}
		}
	}
	if services != 7 {
		t.Errorf("%d services, want 7", services)
	}
	if got := configured(t); !reflect.DeepEqual(got, expected) {
		t.Errorf("configured %v\nwant %v", keys(got), keys(expected))
	}
	if len(lattice.RetryableMethods()) != len(expected) {
		t.Errorf("RetryableMethods has %d methods, want %d", len(lattice.RetryableMethods()), len(expected))
	}
}

func TestTheServiceFilesAreEveryServiceOfTheGeneratedCode(t *testing.T) {
	var found []string
	err := filepath.Walk(filepath.Join("..", "gen", "lattice"), func(path string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(path, "_grpc.pb.go") {
			found = append(found, strings.TrimSuffix(filepath.Base(path), "_grpc.pb.go")+".proto")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, file := range serviceFiles {
		listed = append(listed, filepath.Base(file.Path()))
	}
	sort.Strings(found)
	sort.Strings(listed)
	if !reflect.DeepEqual(found, listed) {
		t.Errorf("generated services %v, listed %v", found, listed)
	}
}

func TestSpotChecks(t *testing.T) {
	names := configured(t)
	for _, retried := range []string{
		"lattice.orders.v1.OrdersService/GetOrder",
		"lattice.orders.v1.OrdersService/ListOrders",
		"lattice.orders.v1.OrdersService/CreateOrder",
		"lattice.orders.v1.OrdersService/RefundOrder",
		"lattice.payments.v1.PaymentsService/RefundPayment",
		"lattice.identity.v1.IdentityService/GetJwks",
		"lattice.inventory.v1.InventoryService/GetStock",
	} {
		if !names[retried] {
			t.Errorf("%s is not retried", retried)
		}
	}
	for _, notRetried := range []string{
		"lattice.orders.v1.OrdersService/CancelOrder",
		"lattice.orders.v1.OrdersService/PackOrder",
		"lattice.identity.v1.IdentityService/Login",
		"lattice.identity.v1.IdentityService/RefreshToken",
		"lattice.inventory.v1.InventoryService/CreateProduct",
		"lattice.inventory.v1.InventoryService/AdjustStock",
	} {
		if names[notRetried] {
			t.Errorf("%s is retried", notRetried)
		}
	}
}

func TestPolicy(t *testing.T) {
	config := parsedServiceConfig(t).MethodConfig[0]
	want := map[string]interface{}{
		"maxAttempts":          5.0,
		"initialBackoff":       "0.1s",
		"maxBackoff":           "2s",
		"backoffMultiplier":    2.0,
		"retryableStatusCodes": []interface{}{"UNAVAILABLE"},
	}
	if !reflect.DeepEqual(config.RetryPolicy, want) {
		t.Errorf("retry policy %v, want %v", config.RetryPolicy, want)
	}
	if config.Timeout != nil {
		t.Errorf("a timeout %q in the service config", *config.Timeout)
	}
}

func keys(set map[string]bool) []string {
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
