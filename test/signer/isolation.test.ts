import { recoverMessageAddress, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MessageFormat, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";

describe("isolation: one fresh SDK instance per call", () => {
  let h: SignerHarness;
  beforeAll(async () => {
    h = await startSignerHarness();
  });
  afterAll(() => h.stop());

  test("50 users signing concurrently: every signature recovers to that user's own address", async () => {
    const users = await Promise.all(Array.from({ length: 50 }, (_, i) => h.mint({ email: `iso-${i}@example.com` })));
    const before = h.service.stats().pool.handouts;
    const results = await Promise.all(
      users.map(async (user, i) => {
        const message = new TextEncoder().encode(`user ${i} says hi`);
        const res = await h.grpc.signMessage({ session: user.session, message, format: MessageFormat.EIP191, walletType: WalletType.EVM });
        return { user, message, res };
      }),
    );
    for (const { user, message, res } of results) {
      const own = user.wallets.find((w) => w.type === "EVM")!;
      expect(res.walletId).toBe(own.id);
      expect(res.address).toBe(own.address);
      const recovered = await recoverMessageAddress({ message: { raw: message }, signature: toHex(res.signature) });
      expect(recovered).toBe(own.address);
    }
    // Exactly one instance per call (the pool checks none is handed out twice).
    expect(h.service.stats().pool.handouts - before).toBe(users.length);
  });

  test("concurrent CheckSession calls never answer with another user's data", async () => {
    const users = await Promise.all(Array.from({ length: 30 }, () => h.mint()));
    const results = await Promise.all(users.map((u) => h.connect.checkSession({ session: u.session })));
    results.forEach((res, i) => {
      expect(res.userId).toBe(users[i]!.userId);
      expect(res.wallets.map((w) => w.id).sort()).toEqual(users[i]!.wallets.map((w) => w.id).sort());
    });
  });
});
