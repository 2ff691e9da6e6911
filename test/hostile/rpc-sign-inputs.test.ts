// Through the real server: SignMessage's own inputs at and around their limits (message size, RAW digest length,
// format), arbitrary wallet ids and enum values the contract does not define. Each gets its documented code, the
// valid ones a signature that recovers to the user's address; nothing is echoed or logged.
import fc from "fast-check";
import { Code } from "@connectrpc/connect";
import { recoverAddress, recoverMessageAddress, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MessageFormat, type SignMessageResponse, WalletType } from "../../gen/para/signer/v1/signer_service_pb.js";
import type { MintedSession } from "../../src/local-para/types.js";
import { startSignerHarness, type SignerHarness } from "../support/signer-harness.js";
import { canary, expectLogsFree, expectOneOf, expectStillServing, type Outcome, outcomeOf } from "./server-checks.js";

const KiB = 1024;
const LIMIT = 64 * KiB; // SIGNER_MAX_MESSAGE_BYTES default

/** A message of `n` bytes that is a canary too: any fragment of it in a log or an error is a leak. */
function message(n: number): Uint8Array {
  const pattern = Buffer.from(canary("MSG"));
  return new Uint8Array(Buffer.alloc(n, pattern));
}

describe("SignMessage inputs at and past their limits", () => {
  let h: SignerHarness;
  let user: MintedSession;
  const sent: string[] = [];
  const evm = () => user.wallets.find((w) => w.type === "EVM")!;
  /** Signs with the user's session; the outcome is checked for echoes of this request's message and ids. */
  const sign = async (req: { message: Uint8Array; format?: MessageFormat; walletType?: WalletType; walletId?: string }) => {
    const bytes = Buffer.from(req.message);
    const forms = [bytes.toString("latin1"), bytes.toString("base64"), bytes.toString("hex"), req.walletId ?? ""];
    sent.push(...forms);
    let res: SignMessageResponse | undefined;
    const outcome = await outcomeOf(
      h.grpc.signMessage({ session: user.session, ...req }).then((r) => void (res = r)),
      [...forms, user.session],
    );
    return { outcome, res };
  };
  beforeAll(async () => {
    h = await startSignerHarness();
    user = await h.mint();
  });
  afterAll(() => h.stop());

  test.each([
    { note: "EIP191, empty", n: 0, format: MessageFormat.EIP191, want: Code.InvalidArgument },
    { note: "EIP191, 1 byte", n: 1, format: MessageFormat.EIP191, want: "ok" },
    { note: "EIP191, exactly the 64 KiB limit", n: LIMIT, format: MessageFormat.EIP191, want: "ok" },
    { note: "EIP191, limit + 1", n: LIMIT + 1, format: MessageFormat.EIP191, want: Code.InvalidArgument },
    // Past the RPC's request limit (session + message limits + 4 KiB): refused by the transport before it is read.
    { note: "EIP191, 1 MiB", n: 1024 * KiB, format: MessageFormat.EIP191, want: Code.ResourceExhausted },
    { note: "RAW EVM, empty", n: 0, format: MessageFormat.RAW, want: Code.InvalidArgument },
    { note: "RAW EVM, 31 bytes", n: 31, format: MessageFormat.RAW, want: Code.InvalidArgument },
    { note: "RAW EVM, 32 bytes", n: 32, format: MessageFormat.RAW, want: "ok" },
    { note: "RAW EVM, 33 bytes", n: 33, format: MessageFormat.RAW, want: Code.InvalidArgument },
    { note: "RAW EVM, 64 KiB", n: LIMIT, format: MessageFormat.RAW, want: Code.InvalidArgument },
  ] satisfies Array<{ note: string; n: number; format: MessageFormat; want: Outcome }>)("EVM $note", async ({ n, format, want }) => {
    const msg = message(n);
    const { outcome, res } = await sign({ message: msg, format, walletType: WalletType.EVM });
    expectOneOf(outcome, [want], "SignMessage");
    if (!res) return;
    const recovered =
      format === MessageFormat.RAW
        ? await recoverAddress({ hash: toHex(msg), signature: toHex(res.signature) })
        : await recoverMessageAddress({ message: { raw: msg }, signature: toHex(res.signature) });
    expect(recovered).toBe(evm().address);
  });

  test.each([
    { note: "1 byte", n: 1, format: MessageFormat.RAW, want: "ok" },
    { note: "exactly the limit", n: LIMIT, format: MessageFormat.RAW, want: "ok" },
    { note: "limit + 1", n: LIMIT + 1, format: MessageFormat.RAW, want: Code.InvalidArgument },
    { note: "empty", n: 0, format: MessageFormat.RAW, want: Code.InvalidArgument },
    { note: "EIP191 (EVM only)", n: 10, format: MessageFormat.EIP191, want: Code.InvalidArgument },
  ] satisfies Array<{ note: string; n: number; format: MessageFormat; want: Outcome }>)("Solana $note", async ({ n, format, want }) => {
    expectOneOf((await sign({ message: message(n), format, walletType: WalletType.SOLANA })).outcome, [want], "SignMessage");
  });

  test("enum values the contract does not define are refused: format and wallet type", async () => {
    for (const format of [3, 99, -1, 2 ** 31 - 1] as MessageFormat[]) {
      expectOneOf((await sign({ message: message(32), format })).outcome, [Code.InvalidArgument], `format ${format}`);
    }
    for (const walletType of [4, 99, -7, 2 ** 31 - 1] as WalletType[]) {
      const { outcome } = await sign({ message: message(32), format: MessageFormat.EIP191, walletType });
      expectOneOf(outcome, [Code.InvalidArgument], `wallet type ${walletType}`);
    }
  });

  test("arbitrary wallet_id strings (unicode, control characters, huge): NOT_FOUND or INVALID_ARGUMENT", async () => {
    const ids = new Set(user.wallets.map((w) => w.id));
    const walletId = fc
      .oneof(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 80 }),
        fc.string({ unit: "binary", minLength: 1, maxLength: 80 }),
        fc.string({ unit: fc.constantFrom("\u0000", "\u0007", "\n", "\r", "\u001b", "\u007f", "\u200b"), minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1_000, max: 200_000 }).map((n) => canary("WID").padEnd(n, "w")),
        fc.constant(null).map(() => canary("WID")),
      )
      .filter((id) => !ids.has(id));
    await fc.assert(
      fc.asyncProperty(walletId, fc.constantFrom(WalletType.UNSPECIFIED, WalletType.EVM, WalletType.SOLANA), async (id, walletType) => {
        const { outcome } = await sign({ message: message(32), walletId: id, walletType });
        // A huge id makes the request larger than the RPC's limit: RESOURCE_EXHAUSTED from the transport.
        expectOneOf(outcome, [Code.NotFound, Code.InvalidArgument, Code.ResourceExhausted], "SignMessage with a foreign wallet_id");
      }),
      { numRuns: 50 },
    );
    // A real wallet id with the other wallet's type is not found either.
    expectOneOf((await sign({ message: message(32), walletId: evm().id, walletType: WalletType.SOLANA })).outcome, [Code.NotFound], "type mismatch");
  });

  test("afterwards: still serving, and no log line carries a message, wallet id or session", async () => {
    await expectStillServing(h);
    expectLogsFree(h, [...sent, user.session, ...user.wallets.map((w) => w.id)]);
  });
});
