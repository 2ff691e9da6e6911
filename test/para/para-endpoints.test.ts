import { expect, test } from "vitest";
import { paraEndpointOf } from "../../src/para/para-endpoints.js";

/** Para round trips are named by a fixed template, never by their path (paths carry user, wallet and review ids). */

test.each([
  ["/touch?session=1", "touch"],
  ["/users/u-1/session/keep-alive", "keep_alive"],
  ["users/u-1/wallets", "wallets"],
  ["/users/u-1/wallets/w-1/transactions/sign", "transaction_sign"],
  ["/users/u-1/pending-transactions/pt-9", "pending_transaction"],
  ["users/u%2F1/pending-transactions/pt-9?x=1", "pending_transaction"],
  ["/sessions/verify", "sessions_verify"],
  ["/.well-known/jwks.json", "jwks"],
])("%s is %s", (path, endpoint) => {
  expect(paraEndpointOf(path)).toBe(endpoint);
});

test.each(["/users/u-1/pending-transactions", "/users/u-1/pending-transactions/pt-9/approve", "/users/u-1/other"])("%s is other", (path) => {
  expect(paraEndpointOf(path)).toBe("other");
});
