import type { LimitsConfig } from "../../config/config.js";

/**
 * The configured limits the request validators enforce (docs/design.md §4: a field over its limit is
 * INVALID_ARGUMENT naming the field). Every one is in config (SIGNER_MAX_*), none is hard-coded here.
 */
export type RequestLimits = Pick<
  LimitsConfig,
  "maxSessionBytes" | "maxMessageBytes" | "maxCredentialChars" | "maxAddressChars" | "maxBatchItems" | "maxBatchMessageBytes"
>;
