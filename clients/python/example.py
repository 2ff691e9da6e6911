#!/usr/bin/env python3
"""para-signer from Python: check a session, sign with its EVM wallet (EIP-191),
and read the google.rpc error details of two failing calls.

    ./generate.sh
    PARA_SESSION="$S" python3 example.py 127.0.0.1:50051

The session comes from the environment, not the command line (other users can
read command lines).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

import grpc  # noqa: E402
from google.rpc import error_details_pb2, status_pb2  # noqa: E402
from para.signer.v1 import signer_service_pb2 as pb  # noqa: E402
from para.signer.v1 import signer_service_pb2_grpc as pb_grpc  # noqa: E402

DEADLINE_S = 10  # every call gets a deadline; the server caps it at SIGNER_MAX_TIMEOUT_MS


def error_details(err):
    """The google.rpc detail messages of a failed call (BadRequest, ErrorInfo, RetryInfo)."""
    for key, value in err.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        for detail in status_pb2.Status.FromString(value).details:
            for kind in (error_details_pb2.BadRequest, error_details_pb2.ErrorInfo, error_details_pb2.RetryInfo):
                if detail.Is(kind.DESCRIPTOR):
                    message = kind()
                    detail.Unpack(message)
                    yield message


def describe(err):
    parts = [err.code().name, repr(err.details())]
    for d in error_details(err):
        if isinstance(d, error_details_pb2.BadRequest):
            parts += [f"field={v.field} ({v.description})" for v in d.field_violations]
        elif isinstance(d, error_details_pb2.ErrorInfo):
            parts.append(f"reason={d.reason} domain={d.domain}")
        elif isinstance(d, error_details_pb2.RetryInfo):
            parts.append(f"retry_after={d.retry_delay.ToTimedelta().total_seconds()}s")
    return " ".join(parts)


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"
    session = os.environ["PARA_SESSION"]
    # One channel per process, shared by every call (it multiplexes over HTTP/2).
    with grpc.insecure_channel(target) as channel:
        signer = pb_grpc.SignerServiceStub(channel)

        check = signer.CheckSession(pb.CheckSessionRequest(session=session), timeout=DEADLINE_S)
        print(f"check: active={str(check.active).lower()} wallets={len(check.wallets)}")

        message = b"hello from python"
        signed = signer.SignMessage(
            pb.SignMessageRequest(session=session, message=message, wallet_type=pb.WALLET_TYPE_EVM, format=pb.MESSAGE_FORMAT_EIP191),
            timeout=DEADLINE_S,
        )
        print(f"sign: message={message.decode()} address={signed.address} signature={signed.encoded_signature}")

        try:
            signer.CheckSession(pb.CheckSessionRequest(session="not a session"), timeout=DEADLINE_S)
        except grpc.RpcError as err:
            print(f"bad session: {describe(err)}")

        try:
            signer.SignMessage(
                pb.SignMessageRequest(session=session, message=message, wallet_id="00000000-0000-4000-8000-000000000000", format=pb.MESSAGE_FORMAT_EIP191),
                timeout=DEADLINE_S,
            )
        except grpc.RpcError as err:
            print(f"unknown wallet: {describe(err)}")


if __name__ == "__main__":
    main()
