module example.com/para-signer-client

go 1.19

// With the Go module proxy: `go mod tidy` adds google.golang.org/grpc,
// google.golang.org/protobuf and google.golang.org/genproto/googleapis/rpc,
// then `go run .`. Without it (Debian's packages only), ./run.sh builds in
// GOPATH mode against /usr/share/gocode and ignores this file.
