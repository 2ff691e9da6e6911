import { invalidArgument } from "../../errors/error-model.js";

/** A string field that must be set and at most `maxChars` characters long. */
export function requireText(field: string, value: string, maxChars: number): string {
  if (value.length === 0) throw invalidArgument(field, "required", "REQUIRED");
  if (value.length > maxChars) throw invalidArgument(field, `longer than ${maxChars} characters`, "TOO_LARGE");
  return value;
}
