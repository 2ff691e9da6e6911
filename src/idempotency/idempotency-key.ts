import { invalidArgument } from "../errors/error-model.js";

/** The request field that carries the key on every signing request (proto `SignMessageRequest.idempotency_key`). */
export const IDEMPOTENCY_KEY_FIELD = "idempotency_key";

/** The request header that may carry the key instead (the one a mesh hashes on to keep a key on one replica). */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";

/** Stripe's and MPCVault's bound; Privy allows 256. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Printable ASCII, space included (0x20 to 0x7E), as the contract says. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The call's idempotency key, from the request field or the `idempotency-key` header; undefined when neither is set
 * (an empty field is proto3's "not set"; a header that is present but empty is a malformed key). When both are set
 * they must be equal. Every refusal is INVALID_ARGUMENT on field `idempotency_key` and never carries the key.
 *
 * `fieldValue` is the request's `idempotency_key`; `requestHeader` is Connect's `HandlerContext.requestHeader`.
 * Several `idempotency-key` headers arrive joined by ", " (fetch `Headers`), which then has to equal the field.
 */
export function readIdempotencyKey(fieldValue: string, requestHeader: Headers): string | undefined {
  const headerValue = requestHeader.get(IDEMPOTENCY_KEY_HEADER);
  if (fieldValue !== "") checkKey(fieldValue);
  if (headerValue !== null) checkKey(headerValue);
  if (fieldValue !== "" && headerValue !== null && fieldValue !== headerValue) {
    throw invalidArgument(IDEMPOTENCY_KEY_FIELD, `differs from the ${IDEMPOTENCY_KEY_HEADER} header`, "HEADER_MISMATCH");
  }
  return fieldValue !== "" ? fieldValue : (headerValue ?? undefined);
}

function checkKey(key: string): void {
  if (key.length === 0) throw invalidArgument(IDEMPOTENCY_KEY_FIELD, "empty", "MALFORMED");
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    throw invalidArgument(IDEMPOTENCY_KEY_FIELD, `longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, "TOO_LARGE");
  if (!PRINTABLE_ASCII.test(key)) throw invalidArgument(IDEMPOTENCY_KEY_FIELD, "must be printable ascii characters", "MALFORMED");
}
