// Prints example payloads for the signing RPCs, ready to paste into `buf curl` (README "Signing transactions and
// typed data"), so trying them needs no wallet tooling:
//   npm run -s example-payloads -- evm-transaction [--chain-id 1] [--type eip1559|legacy|eip2930|eip7702] [--hex]
//       base64 (or 0x-hex) of an unsigned transfer of 1 wei: SignTransaction's unsigned_transaction
//   npm run -s example-payloads -- typed-data [--with-domain-type]
//       EIP-712 typed data as a JSON string literal (quoted, escaped): SignTypedData's typed_data_json
//   npm run -s example-payloads -- solana-transaction --address <base58> [--legacy]
//       base64 of an unsigned v0 (or legacy) transfer of 1 lamport paid by that wallet: SignSolanaTransaction's
//       transaction
//   npm run -s example-payloads -- [--address <base58>]
//       all of them, labelled
import { parseArgs } from "node:util";
import { exampleEvmTransaction, exampleSolanaTransaction, exampleTypedData } from "./example-payloads.js";

const TYPES = ["legacy", "eip2930", "eip1559", "eip7702"] as const;
type EvmType = (typeof TYPES)[number];

const [first, ...rest] = process.argv.slice(2);
const command = first !== undefined && !first.startsWith("--") ? first : "all";
const { values } = parseArgs({
  args: command === "all" ? process.argv.slice(2) : rest,
  options: {
    "chain-id": { type: "string", default: "1" },
    type: { type: "string", default: "eip1559" },
    hex: { type: "boolean", default: false },
    "with-domain-type": { type: "boolean", default: false },
    address: { type: "string" },
    legacy: { type: "boolean", default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`example-payloads: ${message}\n`);
  process.exit(1);
}

const chainId = Number(values["chain-id"]);
if (!Number.isSafeInteger(chainId) || chainId <= 0) fail("--chain-id must be a positive integer");
if (!(TYPES as readonly string[]).includes(values.type)) fail(`--type must be one of ${TYPES.join(", ")}`);

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const evm = () => {
  const bytes = exampleEvmTransaction(chainId, values.type as EvmType);
  return values.hex ? `0x${Buffer.from(bytes).toString("hex")}` : b64(bytes);
};
const typed = () => JSON.stringify(JSON.stringify(exampleTypedData(values["with-domain-type"])));
const solana = () => {
  if (values.address === undefined) fail("solana-transaction needs --address <the wallet's base58 address>");
  try {
    return b64(exampleSolanaTransaction(values.address, values.legacy ? "legacy" : 0));
  } catch {
    return fail("--address is not a base58 Solana address");
  }
};

switch (command) {
  case "evm-transaction":
    process.stdout.write(`${evm()}\n`);
    break;
  case "typed-data":
    process.stdout.write(`${typed()}\n`);
    break;
  case "solana-transaction":
    process.stdout.write(`${solana()}\n`);
    break;
  case "all":
    process.stdout.write(`# unsigned ${values.type} transaction, chain ${chainId} (unsigned_transaction)\n${evm()}\n`);
    process.stdout.write(`# EIP-712 typed data (typed_data_json, as a JSON string)\n${typed()}\n`);
    if (values.address !== undefined) process.stdout.write(`# unsigned Solana transaction (transaction)\n${solana()}\n`);
    else process.stdout.write("# unsigned Solana transaction: pass --address <the wallet's base58 address>\n");
    break;
  default:
    fail(`unknown command ${command} (evm-transaction, typed-data, solana-transaction)`);
}
