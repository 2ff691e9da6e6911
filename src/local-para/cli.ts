// CLI of the local Para backend.
//   tsx src/local-para/cli.ts [--email E] [--phone P] [--exclude-signers] [--json] [--api-key K] [--api-url URL]
//       mints a session on the RUNNING backend (admin API) and prints it
//   tsx src/local-para/cli.ts serve [--api-port N] [--portal-port N]
//       runs the backend in the foreground until SIGINT/SIGTERM
//   tsx src/local-para/cli.ts policy --wallet-id W (--deny [--denied-by RULE] | --allow) [--api-url URL]
//       a (simulated) Para policy denies, or stops denying, every signing request of the wallet on the RUNNING
//       backend: HTTP 403 {"code":"POLICY_DENIED","deniedBy":RULE}, which the service answers PERMISSION_DENIED
import { parseArgs } from "node:util";
import { startLocalPara, LOCAL_PARA_API_KEY, LOCAL_PARA_API_KEY_ID, LOCAL_PARA_SECRET_API_KEY } from "./index.js";
import type { MintOptions, MintedSession } from "./types.js";

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
  const base = values["api-url"].replace(/\/+$/, "");
  let res: Response;
  try {
    res = await fetch(`${base}/_local/wallets/policy`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch {
    process.stderr.write(`policy: no local Para backend at ${base} (start it with: npm run local-para)\n`);
    return 1;
  }
  if (res.status !== 200) {
    process.stderr.write(`policy: the backend refused (${res.status}): ${await res.text()}\n`);
    return 1;
  }
  process.stdout.write(`wallet ${values.deny ? "denied by policy" : "allowed"}\n`);
  return 0;
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  if (cmd === "serve") return serve(rest);
  if (cmd === "policy") {
    process.exitCode = await policy(rest);
    return;
  }
  process.exitCode = await mint(cmd === "mint" ? rest : process.argv.slice(2));
}

main().catch((e: unknown) => {
  // startLocalPara's errors already say "local Para backend: …" (and name the port when it is taken).
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
