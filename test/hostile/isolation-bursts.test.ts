// Hundreds of users in concurrent bursts: every signature recovers to its own user's address, and no response,
// signing or session check, ever carries another user's data (the service builds one SDK instance per call).
import { recoverMessageAddress, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MessageFormat, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import type { MintedSession } from "../../src/local-para/types.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";
import { expectStillServing } from "./server-checks.js";

const USERS = 300;
const BURST = 100;

describe("isolation under load", () => {
  let h: SignerHarness;
  let users: MintedSession[];
  beforeAll(async () => {
    h = await startSignerHarness();
    users = await Promise.all(Array.from({ length: USERS }, (_, i) => h.mint({ email: `burst-${i}@example.com` })));
  });
  afterAll(() => h.stop());

  /** One user's signing call, checked against that user alone. */
  async function signAndCheck(user: MintedSession, i: number) {
    const message = new TextEncoder().encode(`burst message ${i} for ${user.userId}`);
    const res = await h.grpc.signMessage({ session: user.session, message, format: MessageFormat.EIP191, walletType: WalletType.EVM });
    const own = user.wallets.find((w) => w.type === "EVM")!;
    expect(res.walletId).toBe(own.id);
    expect(res.address).toBe(own.address);
    expect(await recoverMessageAddress({ message: { raw: message }, signature: toHex(res.signature) })).toBe(own.address);
  }

  /** One user's session check (on the other protocol, so both paths interleave), checked against that user alone. */
  async function checkOwn(user: MintedSession) {
    const res = await h.connect.checkSession({ session: user.session });
    expect(res.active).toBe(true);
    expect(res.userId).toBe(user.userId);
    expect(res.auth?.identifier).toBe(user.email);
    expect(res.wallets.map((w) => [w.id, w.address]).sort()).toEqual(user.wallets.map((w) => [w.id, w.address]).sort());
  }

  test(`${USERS} users, 3 bursts of ${BURST} concurrent signatures interleaved with session checks`, async () => {
    const before = h.service.stats().pool.handouts;
    for (let b = 0; b < USERS / BURST; b++) {
      const signers = users.slice(b * BURST, (b + 1) * BURST);
      // Checks for users of OTHER bursts run alongside, so concurrent calls belong to different users.
      const checkers = Array.from({ length: BURST / 2 }, (_, i) => users[(b * BURST + BURST + i * 3) % USERS]!);
      await Promise.all([...signers.map((u, i) => signAndCheck(u, b * BURST + i)), ...checkers.map(checkOwn)]);
    }
    // One instance per call, never shared between calls.
    expect(h.service.stats().pool.handouts - before).toBe(USERS + (USERS / BURST) * (BURST / 2));
    await expectStillServing(h);
  }, 60_000);
});
