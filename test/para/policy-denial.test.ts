import { EventEmitter } from "node:events";
import type { Worker } from "node:worker_threads";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, test } from "vitest";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { policyDenialOf } from "../../src/para/para-errors.js";
import { SigningQuarantine } from "../../src/para/signing-quarantine.js";
import { SigningWorkerSupervisor } from "../../src/para/signing-worker.js";

/** The SDK's text for a job killed by a worker crash, with the crashing job's own message at the end. */
const crashWith = (opts: unknown, message: string) => new Error(`worker error with workId w1 and opts ${JSON.stringify(opts)}: ${message}`);
const denialText = 'local Para transactions/sign failed with status 403: {"message":"denied","code":"POLICY_DENIED","deniedBy":"rule-7"}';

describe("policyDenialOf: a Para policy denial read from a worker crash", () => {
  test("Para's code and rule are read from the crash message", () => {
    expect(policyDenialOf(crashWith({ params: { tx: "AQID" } }, denialText))).toEqual({ deniedBy: "rule-7" });
  });

  test("a rule id that is not a plain identifier is not copied", () => {
    const text = '… 403: {"code":"POLICY_DENIED","deniedBy":"<script>alert(1)</script>"}';
    expect(policyDenialOf(crashWith({}, text))).toEqual({ deniedBy: undefined });
  });

  test("the shipped worker's message ([object Object]) carries nothing to read", () => {
    expect(policyDenialOf(crashWith({ params: {} }, "[object Object]"))).toBeUndefined();
  });

  test("caller data inside the SDK's opts JSON cannot forge a denial (its quotes are escaped)", () => {
    const forged = { params: { walletId: '"code":"POLICY_DENIED","deniedBy":"x"' } };
    expect(policyDenialOf(crashWith(forged, "local Para MPC sign failed with status 403: {}"))).toBeUndefined();
  });

  test("only worker crashes count", () => {
    expect(policyDenialOf(new Error(denialText))).toBeUndefined();
  });
});

function fakeWorker(): Worker {
  const w = new EventEmitter() as unknown as Worker & { terminate(): Promise<number> };
  w.terminate = async () => 0;
  return w;
}

describe("SigningWorkerSupervisor and policy denials", () => {
  test("a denial convicted alone is PERMISSION_DENIED / POLICY_DENIED (not SIGNING_REFUSED); the signer is then held", async () => {
    const sup = new SigningWorkerSupervisor(async () => fakeWorker(), { quarantineMs: 60_000 });
    const signer = SigningQuarantine.keyOf("u", "w");
    const error = ConnectError.from(await sup.run(async () => Promise.reject(crashWith({}, denialText)), signer).catch((e: unknown) => e));
    expect(error.code).toBe(Code.PermissionDenied);
    const info = error.findDetails(ErrorInfoSchema)[0];
    expect(info?.reason).toBe("POLICY_DENIED");
    expect(info?.metadata["denied_by"]).toBe("rule-7");
    expect(error.rawMessage).not.toContain("rule-7");
    const held = ConnectError.from(await sup.run(async () => "ok", signer).catch((e: unknown) => e));
    expect(held.findDetails(ErrorInfoSchema)[0]?.reason).toBe("SIGNING_REFUSED");
  });

  test("an innocent job that saw another job's denial crash succeeds on its retry", async () => {
    const sup = new SigningWorkerSupervisor(async () => fakeWorker(), { quarantineMs: 60_000 });
    let first = true;
    const innocent = async () => {
      if (first) {
        first = false;
        throw crashWith({}, denialText);
      }
      return "signed";
    };
    await expect(sup.run(innocent, SigningQuarantine.keyOf("a", "w"))).resolves.toBe("signed");
  });
});
