// CLI of the local Para backend.
//   tsx src/local-para/cli.ts [--email E] [--phone P] [--exclude-signers] [--json] [--api-key K] [--api-url URL]
//       mints a session on the RUNNING backend (admin API) and prints it
//   tsx src/local-para/cli.ts serve [--api-port N] [--portal-port N]
//       runs the backend in the foreground until SIGINT/SIGTERM
//   tsx src/local-para/cli.ts policy --wallet-id W (--deny [--denied-by RULE] | --allow) [--api-url URL]
//       a (simulated) Para policy denies, or stops denying, every signing request of the wallet on the RUNNING
//       backend: HTTP 403 {"code":"POLICY_DENIED","deniedBy":RULE}, which the service answers PERMISSION_DENIED
//   tsx src/local-para/cli.ts review (approve|deny) <pendingTransactionId> [--api-url URL]
//       the user approves, or denies, a transaction waiting for review on the RUNNING backend: once approved the
//       SDK signs; once denied its poll fails (TransactionReviewDenied) and the transaction can never be approved
//   tsx src/local-para/cli.ts review list --user-id U [--api-url URL]
//       the user's pending transactions and their state (pending, approved, denied, consumed)
import { parseArgs } from "node:util";
import { startLocalPara, LOCAL_PARA_API_KEY, LOCAL_PARA_API_KEY_ID, LOCAL_PARA_SECRET_API_KEY } from "./index.js";
import type { MintOptions, MintedSession, PendingTransactionInfo } from "./types.js";

async function mint(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      email: { type: "string" },
      phone: { type: "string" },
      "exclude-signers": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "api-key": { type: "string" },
      "api-url": { type: "string", default: "http://localhost:8080" },
    },
  });
  const body: MintOptions = {
    ...(values.email !== undefined ? { email: values.email } : {}),
    ...(values.phone !== undefined ? { phone: values.phone } : {}),
    ...(values["api-key"] !== undefined ? { apiKey: values["api-key"] } : {}),
    excludeSigners: values["exclude-signers"],
  };
  const base = values["api-url"].replace(/\/+$/, "");
  let res: Response;
  try {
    res = await fetch(`${base}/_local/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    process.stderr.write(`mint-session: no local Para backend at ${base} (start it with: npm run local-para)\n`);
    return 1;
  }
  if (res.status !== 200) {
    process.stderr.write(`mint-session: the backend refused (${res.status}): ${await res.text()}\n`);
    return 1;
  }
  const m = (await res.json()) as MintedSession;
  if (!values.json) {
    process.stdout.write(`${m.session}\n`);
    return 0;
  }
  const out = {
    session: m.session,
    sessionWithoutSigners: m.sessionWithoutSigners,
    verificationToken: m.verificationToken,
    userId: m.userId,
    ...(m.email !== undefined ? { email: m.email } : {}),
    ...(m.phone !== undefined ? { phone: m.phone } : {}),
    apiKey: m.apiKey,
    wallets: m.wallets.map(({ id, type, address }) => ({ id, type, address })),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  return 0;
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { "api-port": { type: "string" }, "portal-port": { type: "string" } },
  });
  const lp = await startLocalPara({
    ...(values["api-port"] !== undefined ? { apiPort: Number(values["api-port"]) } : {}),
    ...(values["portal-port"] !== undefined ? { portalPort: Number(values["portal-port"]) } : {}),
  });
  // Only published, local-only identifiers are printed; sessions and shares never are.
  process.stdout.write(
    [
      "local Para backend (development only; NOT Para)",
      `  API     ${lp.apiUrl}   (admin: ${lp.apiUrl}/_local/, JWKS: ${lp.apiUrl}/.well-known/jwks.json)`,
      `  portal  ${lp.portalUrl}`,
      `  PARA_ENVIRONMENT=DEV`,
      `  PARA_API_KEY=${LOCAL_PARA_API_KEY}`,
      `  PARA_SECRET_API_KEY=${LOCAL_PARA_SECRET_API_KEY}`,
      `  PARA_JWT_AUDIENCE=${LOCAL_PARA_API_KEY_ID}`,
      "  mint a session:  npm run -s mint-session [-- --email a@b.c --json]",
      "",
    ].join("\n"),
  );
  const shutdown = (): void => {
    void lp.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

async function policy(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      "wallet-id": { type: "string" },
      deny: { type: "boolean", default: false },
      allow: { type: "boolean", default: false },
      "denied-by": { type: "string" },
      "api-url": { type: "string", default: "http://localhost:8080" },
    },
  });
  if (values["wallet-id"] === undefined || values.deny === values.allow) {
    process.stderr.write("policy: give --wallet-id and exactly one of --deny or --allow\n");
    return 1;
  }
  const body = { walletId: values["wallet-id"], deny: values.deny, ...(values["denied-by"] !== undefined ? { deniedBy: values["denied-by"] } : {}) };
  if ((await admin("policy", values["api-url"], "POST", "wallets/policy", body)) === undefined) return 1;
  process.stdout.write(`wallet ${values.deny ? "denied by policy" : "allowed"}\n`);
  return 0;
}

async function review(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { "user-id": { type: "string" }, "api-url": { type: "string", default: "http://localhost:8080" } },
  });
  const [action, id, ...extra] = positionals;
  if (action === "list" && values["user-id"] !== undefined && id === undefined) {
    const path = `pending-transactions?userId=${encodeURIComponent(values["user-id"])}`;
    const listed = (await admin("review", values["api-url"], "GET", path)) as { pendingTransactions: PendingTransactionInfo[] } | undefined;
    if (listed === undefined) return 1;
    for (const p of listed.pendingTransactions) process.stdout.write(`${p.id}  ${p.state}  wallet ${p.walletId}  created ${p.createdAt}\n`);
    return 0;
  }
  if ((action !== "approve" && action !== "deny") || id === undefined || extra.length > 0) {
    process.stderr.write("review: give `approve <id>`, `deny <id>` or `list --user-id U`\n");
    return 1;
  }
  if ((await admin("review", values["api-url"], "POST", `pending-transactions/${action}`, { id })) === undefined) return 1;
  process.stdout.write(`pending transaction ${action === "approve" ? "approved" : "denied"}\n`);
  return 0;
}

/** One admin API call of a subcommand: the parsed 200 body, or undefined once the failure is reported on stderr. */
async function admin(command: string, apiUrl: string, method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
  const base = apiUrl.replace(/\/+$/, "");
  let res: Response;
  try {
    res = await fetch(`${base}/_local/${path}`, {
      method,
      ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
    });
  } catch {
    process.stderr.write(`${command}: no local Para backend at ${base} (start it with: npm run local-para)\n`);
    return undefined;
  }
  if (res.status !== 200) {
    process.stderr.write(`${command}: the backend refused (${res.status}): ${await res.text()}\n`);
    return undefined;
  }
  return res.json();
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "serve") return serve(rest);
  if (cmd === "policy" || cmd === "review") {
    process.exitCode = await (cmd === "policy" ? policy : review)(rest);
    return;
  }
  process.exitCode = await mint(cmd === "mint" ? rest : process.argv.slice(2));
}

main().catch((e: unknown) => {
  // startLocalPara's errors already say "local Para backend: …" (and name the port when it is taken).
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
