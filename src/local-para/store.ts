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
  /** The current cookie; after rotations, older cookies still map to this session for their grace only. */
  cookie: string;
  userId: string;
  apiKey: string;
  verificationToken: string;
  sessionId: string;
  expiresAt: number;
  revoked: boolean;
  /** Set: every keep-alive rotates the cookie, and the replaced one keeps working for this many ms (docs/para-sdk.md §1). */
  rotationGraceMs?: number;
}

const token = (bytes = 24): string => randomBytes(bytes).toString("base64url");

export class Store {
  readonly keys = new Map<string, ApiKeyInfo>();
  readonly keysBySecret = new Map<string, ApiKeyInfo>();
  readonly users = new Map<string, User>();
  readonly wallets = new Map<string, StoredWallet>();
  readonly sessions = new Map<string, Session>();
  readonly sessionsByToken = new Map<string, Session>();
  /** Replaced cookies (still keys of `sessions`) → until when they are honoured. */
  private readonly retiredCookies = new Map<string, number>();
  /** Users whose sessions, present and future, rotate on keep-alive → grace of a replaced cookie. */
  private readonly rotatingUsers = new Map<string, number>();
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

  /**
   * The session behind a cookie if it is live and was minted for this API key; expiry is checked lazily. A cookie
   * replaced by a rotation counts only until its grace ends.
   */
  activeSession(cookie: string | undefined, apiKey: string | undefined): Session | undefined {
    if (cookie === undefined) return undefined;
    const s = this.sessions.get(cookie);
    const now = Date.now();
    if (s === undefined || s.revoked || s.expiresAt <= now) return undefined;
    if (s.cookie !== cookie && (this.retiredCookies.get(cookie) ?? 0) <= now) return undefined;
    if (apiKey !== undefined && s.apiKey !== apiKey) return undefined;
    return s;
  }

  /** Live sessions, each counted once however many rotated cookies still point at it. */
  activeSessionCount(): number {
    const now = Date.now();
    let n = 0;
    for (const [cookie, s] of this.sessions) if (cookie === s.cookie && !s.revoked && s.expiresAt > now) n++;
    return n;
  }

  /** Turns rotation on keep-alive on (with the grace of a replaced cookie) or off, for one user's sessions. */
  setUserRotation(userId: string, graceMs: number | undefined): void {
    if (graceMs === undefined) this.rotatingUsers.delete(userId);
    else this.rotatingUsers.set(userId, graceMs);
  }

  /** The grace of a replaced cookie if this session rotates on keep-alive: its own switch first, then its user's. */
  rotationGrace(s: Session): number | undefined {
    return s.rotationGraceMs ?? this.rotatingUsers.get(s.userId);
  }

  /**
   * Gives the session a new cookie: the same user, wallets, verification token and expiry, so it is the same
   * session to everything but the cookie. The replaced cookie keeps working for `graceMs`, so calls already in
   * flight with it (or a worker job holding it) finish.
   */
  rotate(s: Session, graceMs: number): string {
    this.retiredCookies.set(s.cookie, Date.now() + graceMs);
    s.cookie = token(32);
    this.sessions.set(s.cookie, s);
    return s.cookie;
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
