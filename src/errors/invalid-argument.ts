import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";

/**
 * INVALID_ARGUMENT (docs/design.md §4: a bad session, message, transaction or other request field): one BadRequest
 * field violation naming the field. `description` is the service's own words, never a value from the request.
 */
export function invalidArgument(field: string, description: string, reason = "INVALID"): ConnectError {
  return new ConnectError(`invalid ${field}: ${description}`, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: [{ field, description, reason }] } },
  ]);
}
