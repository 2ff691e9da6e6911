// In-memory state of the emulator: API keys (one partner each, so parallel test files never see each other's
// users), users with their wallets and server shares, and sessions with expiry and revocation.
import { randomBytes, randomUUID } from "node:crypto";
import { generateWallet, type GeneratedWallet } from "./mpc-keys.js";
import type { ApiKeyInfo, CreateApiKeyOptions, WalletType } from "./types.js";

export interface StoredWallet extends GeneratedWallet {
  id: string;
  userId: string;
}

export interface User {
  id: string;
  partnerId: string;
  authType: "email" | "phone";
  identifier: string;
  email?: string;
  phone?: string;
  wallets: StoredWallet[];
}

export interface Session {
  cookie: string;
  userId: string;
  apiKey: string;
  verificationToken: string;
  sessionId: string;
  expiresAt: number;
  revoked: boolean;
}

const token = (bytes = 24): string => randomBytes(bytes).toString("base64url");

export class Store {
  readonly keys = new Map<string, ApiKeyInfo>();
  readonly keysBySecret = new Map<string, ApiKeyInfo>();
  readonly users = new Map<string, User>();
  readonly wallets = new Map<string, StoredWallet>();
  readonly sessions = new Map<string, Session>();
  readonly sessionsByToken = new Map<string, Session>();
  private userCount = 0;

  constructor(private readonly defaultSessionLengthMs: number) {}

  addKey(info: ApiKeyInfo): ApiKeyInfo {
    this.keys.set(info.apiKey, info);
    this.keysBySecret.set(info.secretApiKey, info);
    return info;
  }

  createKey(opts: CreateApiKeyOptions = {}): ApiKeyInfo {
    const id = randomBytes(8).toString("hex");
    return this.addKey({
      // "dev_" so the SDK's key-prefix rule keeps Environment.DEV (docs/para-sdk.md §0).
      apiKey: `dev_local_${id}`,
      apiKeyId: `local-para-key-${id}`,
      secretApiKey: `dev_secret_${randomBytes(16).toString("hex")}`,
      partnerId: `local-para-partner-${id}`,
      sessionLengthMs: opts.sessionLengthMs ?? this.defaultSessionLengthMs,
    });
  }

  createUser(partnerId: string, contact: { email?: string | undefined; phone?: string | undefined }): User {
    const n = ++this.userCount;
    const id = randomUUID();
    const phone = contact.phone;
    const email = contact.email ?? (phone === undefined ? `user-${n}-${id.slice(0, 8)}@example.com` : undefined);
    const user: User = {
      id,
      partnerId,
      authType: email !== undefined ? "email" : "phone",
      identifier: (email ?? phone) as string,
      wallets: [],
      ...(email !== undefined ? { email } : {}),
      ...(phone !== undefined ? { phone } : {}),
    };
    for (const type of ["EVM", "SOLANA"] as WalletType[]) {
      const walletId = randomUUID();
      const wallet: StoredWallet = { ...generateWallet(walletId, type), id: walletId, userId: id };
      user.wallets.push(wallet);
      this.wallets.set(walletId, wallet);
    }
    this.users.set(id, user);
    return user;
  }

  createSession(user: User, key: ApiKeyInfo): Session {
    const session: Session = {
      cookie: token(32),
      userId: user.id,
      apiKey: key.apiKey,
      verificationToken: token(24),
      sessionId: randomUUID(),
      expiresAt: Date.now() + key.sessionLengthMs,
      revoked: false,
    };
    this.sessions.set(session.cookie, session);
    this.sessionsByToken.set(session.verificationToken, session);
    return session;
  }

  /** The session behind a cookie if it is live and was minted for this API key; expiry is checked lazily. */
  activeSession(cookie: string | undefined, apiKey: string | undefined): Session | undefined {
    if (cookie === undefined) return undefined;
    const s = this.sessions.get(cookie);
    if (s === undefined || s.revoked || s.expiresAt <= Date.now()) return undefined;
    if (apiKey !== undefined && s.apiKey !== apiKey) return undefined;
    return s;
  }

  activeSessionCount(): number {
    const now = Date.now();
    let n = 0;
    for (const s of this.sessions.values()) if (!s.revoked && s.expiresAt > now) n++;
    return n;
  }

  /** Wallet of a partner by address: EVM compared case-insensitively, Solana (base58) exactly. */
  walletByAddress(partnerId: string, address: string): StoredWallet | undefined {
    const wanted = address.startsWith("0x") || address.startsWith("0X") ? address.toLowerCase() : address;
    for (const w of this.wallets.values()) {
      const have = w.type === "EVM" ? w.address.toLowerCase() : w.address;
      if (have === wanted && this.users.get(w.userId)?.partnerId === partnerId) return w;
    }
    return undefined;
  }
}
