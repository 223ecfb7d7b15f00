# Sourced by clients/go/checkout and clients/go/test: builds in GOPATH mode, offline, with Debian's
# Go packages (/usr/share/gocode). The import path lattice.dev/clients/go is a symlink to this
# folder in a temporary GOPATH (removed on exit); the build cache is clients/go/target/go-build,
# which git ignores. Nothing else is written.

go_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

command -v go >/dev/null 2>&1 \
  || { echo "clients/go: go not found (Debian: apt-get install golang-go golang-google-grpc-dev golang-google-protobuf-dev golang-google-genproto-dev golang-github-golang-protobuf-1-5-dev)" >&2; exit 1; }

# grpc-go 1.33 encodes messages with github.com/golang/protobuf; the 1.3 series (Debian's default
# for golang-google-grpc-dev) cannot encode protoc-gen-go's APIv2 code and crashes on a oneof.
[[ -f /usr/share/gocode/src/github.com/golang/protobuf/proto/registry.go ]] \
  || { echo "clients/go: github.com/golang/protobuf 1.4+ is needed (Debian: apt-get install golang-github-golang-protobuf-1-5-dev, which replaces golang-github-golang-protobuf-1-3-dev)" >&2; exit 1; }

go_path="$(mktemp -d)"
trap 'rm -rf "$go_path"' EXIT
mkdir -p "$go_path/src/lattice.dev/clients" "$go_here/target"
ln -s "$go_here" "$go_path/src/lattice.dev/clients/go"

export GO111MODULE=off
export GOPATH="$go_path:/usr/share/gocode"
export GOCACHE="$go_here/target/go-build"
export GOFLAGS=
# grpc-go 1.33 retries only with this set when the process starts (see package lattice).
export GRPC_GO_RETRY=on
