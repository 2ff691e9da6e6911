import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { BadRequestSchema } from "../../gen/google/rpc/error_details_pb.js";
import { IDEMPOTENCY_KEY_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH, readIdempotencyKey } from "../../src/idempotency/idempotency-key.js";

/** Reading and validating the idempotency key from the request field or the `idempotency-key` header. */

const noHeaders = () => new Headers();
const withHeader = (value: string) => new Headers({ [IDEMPOTENCY_KEY_HEADER]: value });

function refusal(fieldValue: string, headers: Headers) {
  try {
    readIdempotencyKey(fieldValue, headers);
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectError);
    const error = e as ConnectError;
    expect(error.code).toBe(Code.InvalidArgument);
    const violation = error.findDetails(BadRequestSchema)[0]?.fieldViolations[0];
    expect(violation?.field).toBe("idempotency_key");
    return { message: error.message, reason: violation?.reason, description: violation?.description };
  }
  throw new Error("expected INVALID_ARGUMENT");
}

describe("readIdempotencyKey", () => {
  test("neither field nor header: no key", () => {
    expect(readIdempotencyKey("", noHeaders())).toBeUndefined();
  });

  test("from the field, from the header, or from both when equal", () => {
    expect(readIdempotencyKey("order-1", noHeaders())).toBe("order-1");
    expect(readIdempotencyKey("", withHeader("order-2"))).toBe("order-2");
    expect(readIdempotencyKey("order-3", withHeader("order-3"))).toBe("order-3");
  });

  test("the header name is case-insensitive", () => {
    expect(readIdempotencyKey("", new Headers({ "Idempotency-Key": "order-4" }))).toBe("order-4");
  });

  test("field and header that differ are refused, naming neither value", () => {
    const r = refusal("field-key-123", withHeader("header-key-456"));
    expect(r.reason).toBe("HEADER_MISMATCH");
    for (const text of [r.message, r.description]) {
      expect(text).not.toContain("field-key-123");
      expect(text).not.toContain("header-key-456");
    }
  });

  test("length: 1 to 255 characters", () => {
    const longest = "k".repeat(MAX_IDEMPOTENCY_KEY_LENGTH);
    expect(readIdempotencyKey(longest, noHeaders())).toBe(longest);
    expect(readIdempotencyKey("", withHeader(longest))).toBe(longest);
    expect(readIdempotencyKey("x", noHeaders())).toBe("x");
    expect(refusal(`${longest}k`, noHeaders()).reason).toBe("TOO_LARGE");
    expect(refusal("", withHeader(`${longest}k`)).reason).toBe("TOO_LARGE");
    expect(refusal("", withHeader("")).reason).toBe("MALFORMED");
  });

  test("printable ASCII only, space included", () => {
    expect(readIdempotencyKey("a key with spaces ~!@#$%^&*()", noHeaders())).toBe("a key with spaces ~!@#$%^&*()");
    for (const bad of ["tab\there", "new\nline", "nul\0", "del\x7f", "ключ-1", "emoji-😀"]) {
      const r = refusal(bad, noHeaders());
      expect(r.reason).toBe("MALFORMED");
      expect(r.message).not.toContain(bad);
    }
  });

  test("a malformed header is refused even when the field is fine", () => {
    expect(refusal("good-key", withHeader("k".repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1))).reason).toBe("TOO_LARGE");
  });
});
