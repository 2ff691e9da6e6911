#!/bin/sh
# Generates the Python client into clients/python/gen/ (gitignored), never the
# repository's gen/. Needs grpcio-tools: Debian's python3-grpc-tools, or pip's
# grpcio-tools. PYTHON picks the interpreter (default python3).
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
rm -rf gen && mkdir gen
# ../../proto: the service's contract, the google.rpc detail messages it sends and
# google/rpc/status.proto (the trailer's envelope, and SignMessages' per-item errors).
# google/protobuf/*.proto come with grpc_tools.
"$PYTHON" -m grpc_tools.protoc -I ../../proto --python_out=gen --grpc_python_out=gen \
  para/signer/v1/signer_service.proto google/rpc/error_details.proto google/rpc/status.proto
