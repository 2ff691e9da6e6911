#!/bin/sh
# Generates the Go client into clients/go/gen/ (gitignored), never the
# repository's gen/. Needs protoc, protoc-gen-go and protoc-gen-go-grpc on PATH:
#   Debian/Ubuntu: apt-get install protobuf-compiler protoc-gen-go protoc-gen-go-grpc
#   with the Go module proxy: go install google.golang.org/protobuf/cmd/protoc-gen-go@latest
#                             go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@latest
# google/protobuf/*.proto come with protoc; the google.rpc detail messages come
# from google.golang.org/genproto (errdetails), which gRPC-Go already uses.
set -eu
cd "$(dirname "$0")"
PKG=example.com/para-signer-client/gen/signerv1
rm -rf gen && mkdir -p gen/signerv1
protoc -I ../../proto \
  --go_out=gen/signerv1 --go_opt=paths=source_relative --go_opt=Mpara/signer/v1/signer_service.proto="$PKG;signerv1" \
  --go-grpc_out=gen/signerv1 --go-grpc_opt=paths=source_relative --go-grpc_opt=Mpara/signer/v1/signer_service.proto="$PKG;signerv1" \
  para/signer/v1/signer_service.proto
# paths=source_relative keeps the proto's folders; flatten them into the one package.
mv gen/signerv1/para/signer/v1/*.go gen/signerv1/ && rm -r gen/signerv1/para
