#!/bin/sh
# Builds and runs the example from Debian's Go packages alone, with no module
# proxy: GOPATH mode against /usr/share/gocode/src, where
#   apt-get install golang-go golang-google-grpc-dev golang-github-golang-protobuf-1-5-dev
# put gRPC-Go, protobuf and genproto. (golang-github-golang-protobuf-1-3-dev, the
# other way to satisfy golang-google-grpc-dev, panics on the generated code.)
set -eu
cd "$(dirname "$0")"
[ -d gen/signerv1 ] || sh ./generate.sh
here=$(pwd)
work=$here/.gopath/src/example.com
mkdir -p "$work" "$here/.gopath/bin"
ln -sfn "$here" "$work/para-signer-client"
export GO111MODULE=off GOPATH="$here/.gopath:/usr/share/gocode" GOFLAGS= GOCACHE="${GOCACHE:-$here/.gocache}"
cd "$work/para-signer-client"
go build -o "$here/.gopath/bin/para-signer-example" .
exec "$here/.gopath/bin/para-signer-example" "$@"
