// The two-step signing handshake and transaction review. `messages/sign` (what the real worker calls first)
// registers a protocol id bound to wallet, session and message; the MPC step may only spend a registered,
// unexpired protocol id once. That is what makes a bare share useless without a live session.
import { randomUUID } from "node:crypto";

const PROTOCOL_TTL_MS = 60_000;

export interface Protocol {
  walletId: string;
  sessionCookie: string;
  /** What the MPC step may sign: `message` (base64) as given, or a `transaction` (base64 of the unsigned serialized
   * EVM transaction), whose keccak-256 digest the MPC step signs. */
  kind: "message" | "transaction";
  message: string;
  expiresAt: number;
}

export interface PendingTransaction {
  id: string;
  userId: string;
  walletId: string;
  message: string;
  createdAt: string;
  approvedAt: string | null;
  /** Set once the user denied it; a denied transaction is never approved or signed afterwards. */
  deniedAt: string | null;
  consumed: boolean;
}

/** What an admin decision on a pending transaction found. */
export type ReviewOutcome = "ok" | "unknown" | "conflict";

export class SigningState {
  private readonly protocols = new Map<string, Protocol>();
  readonly pending = new Map<string, PendingTransaction>();
  private readonly reviewWallets = new Set<string>();
  /** Wallets a (simulated) Para policy denies, with the rule id Para names. */
  private readonly deniedWallets = new Map<string, string>();

  register(protocolId: string, p: Omit<Protocol, "expiresAt">): void {
    this.sweep();
    this.protocols.set(protocolId, { ...p, expiresAt: Date.now() + PROTOCOL_TTL_MS });
  }

  /** Removes and returns a live protocol: one MPC step per messages/sign. */
  take(protocolId: string): Protocol | undefined {
    const p = this.protocols.get(protocolId);
    this.protocols.delete(protocolId);
    return p !== undefined && p.expiresAt > Date.now() ? p : undefined;
  }

  /**
   * Makes a policy deny (or stop denying) every signing request of a wallet, messages and transactions alike.
   * `deniedBy` is the rule id reported back, as Para names the rule that denied.
   */
  setPolicyDenial(walletId: string, deny: boolean, deniedBy = "local-policy"): void {
    if (deny) this.deniedWallets.set(walletId, deniedBy);
    else this.deniedWallets.delete(walletId);
  }

  /** The rule denying this wallet's signing requests, if any. */
  deniedBy(walletId: string): string | undefined {
    return this.deniedWallets.get(walletId);
  }

  setReview(walletId: string, required: boolean): void {
    if (required) this.reviewWallets.add(walletId);
    else this.reviewWallets.delete(walletId);
  }

  /**
   * Whether this sign request must go to review. After approval the SDK re-runs the job with the same message;
   * that one approved transaction lets exactly one sign through.
   */
  reviewFor(userId: string, walletId: string, message: string): PendingTransaction | undefined {
    if (!this.reviewWallets.has(walletId)) return undefined;
    for (const p of this.pending.values()) {
      if (p.walletId === walletId && p.message === message && p.approvedAt !== null && !p.consumed) {
        p.consumed = true;
        return undefined;
      }
    }
    const ptx: PendingTransaction = {
      id: randomUUID(),
      userId,
      walletId,
      message,
      createdAt: new Date().toISOString(),
      approvedAt: null,
      deniedAt: null,
      consumed: false,
    };
    this.pending.set(ptx.id, ptx);
    return ptx;
  }

  /** Approves a pending transaction; approving twice is harmless, approving a denied one is a conflict. */
  approve(id: string): ReviewOutcome {
    const p = this.pending.get(id);
    if (p === undefined) return "unknown";
    if (p.deniedAt !== null) return "conflict";
    p.approvedAt ??= new Date().toISOString();
    return "ok";
  }

  /** Denies a pending transaction; denying twice is harmless, denying an approved one is a conflict. */
  deny(id: string): ReviewOutcome {
    const p = this.pending.get(id);
    if (p === undefined) return "unknown";
    if (p.approvedAt !== null) return "conflict";
    p.deniedAt ??= new Date().toISOString();
    return "ok";
  }

  /** A user's pending transactions, oldest first. */
  pendingOf(userId: string): PendingTransaction[] {
    return [...this.pending.values()].filter((p) => p.userId === userId);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, p] of this.protocols) if (p.expiresAt <= now) this.protocols.delete(id);
  }
}
