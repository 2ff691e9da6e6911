import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Status, StatusSchema } from "../../gen/google/rpc/status_pb.js";

/**
 * A ConnectError as the `google.rpc.Status` it would travel as in a gRPC trailer (`grpc-status-details-bin`): code,
 * message, and every detail packed in an Any. SignMessages reports each item's failure this way, so a client
 * decodes a per-item error with the same code as a failed call's.
 */
export function toRpcStatus(error: ConnectError): Status {
  return create(StatusSchema, {
    code: error.code,
    message: error.rawMessage,
    details: error.details.map((detail) =>
      "desc" in detail
        ? create(AnySchema, {
            typeUrl: typeUrl(detail.desc.typeName),
            value: toBinary(detail.desc, create(detail.desc, detail.value as MessageInitShape<DescMessage>)),
          })
        : create(AnySchema, { typeUrl: typeUrl(detail.type), value: detail.value }),
    ),
  });
}

/**
 * Whether a failure is the call's, not one item's: Para or this server failing, the caller's deadline, or Para
 * refusing the session itself partway (every later item would meet the same).
 */
export function failsTheCall(error: unknown): boolean {
  if (!(error instanceof ConnectError)) return true;
  return [Code.Unavailable, Code.ResourceExhausted, Code.DeadlineExceeded, Code.Canceled, Code.Internal, Code.Unknown, Code.Unauthenticated].includes(
    error.code,
  );
}

function typeUrl(typeName: string): string {
  return `type.googleapis.com/${typeName}`;
}
