import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema, RetryInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { ERROR_DOMAIN } from "../errors/error-model.js";

/**
 * The errors the transport answers with. Messages are lower-case and never
 * carry a request value (not even the declared length: it is the caller's).
 */

/** RESOURCE_EXHAUSTED, gRPC's code for a message larger than the receiver accepts. */
export function messageTooLarge(): ConnectError {
  return new ConnectError("request message is larger than this method accepts", Code.ResourceExhausted, undefined, [errorInfo("REQUEST_TOO_LARGE")]);
}

/** The process holds as many request bytes as it may: retryable, another replica (or a moment later) may take it. */
export function bufferedBytesExhausted(): ConnectError {
  return new ConnectError("server is holding too many request bytes", Code.ResourceExhausted, undefined, [
    errorInfo("BUFFERED_BYTES_LIMIT"),
    { desc: RetryInfoSchema, value: { retryDelay: durationFromMs(100) } },
  ]);
}

/** The server's cap on reading one request body (docs/design.md §4: the server's cap is DEADLINE_EXCEEDED). */
export function bodyReadTimedOut(): ConnectError {
  return new ConnectError("request body not received in time", Code.DeadlineExceeded, undefined, [errorInfo("BODY_READ_TIMEOUT")]);
}

function errorInfo(reason: string) {
  return { desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { reason, domain: ERROR_DOMAIN }) };
}
