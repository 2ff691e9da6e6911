import { ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { exerciseEveryPath, forms } from "../support/canary.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

describe("canary: no secret reaches logs or error messages, on any RPC or error path", () => {
  let h: SignerHarness;
  const errors: ConnectError[] = [];
  const attempt = async (p: Promise<unknown>) => {
    try {
      return await p;
    } catch (e) {
      errors.push(ConnectError.from(e));
      return undefined;
    }
  };

  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("exercise every RPC and error path with canary values, then search everything emitted", async () => {
    const secrets = await exerciseEveryPath(h, "signer", attempt);

    expect(errors.length).toBeGreaterThanOrEqual(15);
    // Let the SDK's console output of the last calls arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const emitted = [...h.logs, ...errors.map((e) => JSON.stringify({ message: e.rawMessage, details: e.details, metadata: [...e.metadata.entries()] }))].join(
      "\n",
    );
    expect(h.logs.some((line) => line.includes('"source":"console"'))).toBe(true); // the SDK did talk; it was masked
    for (const secret of secrets) {
      for (const form of forms(secret)) expect(emitted, `leaked: ${form.slice(0, 6)}…`).not.toContain(form);
    }
  });
});
