// Example payloads for the signing RPCs, so trying them against `npm start` needs no wallet tooling: an unsigned
// EIP-1559 transaction, EIP-712 typed data, and an unsigned Solana v0 (or legacy) transfer for a given wallet. Built
// with viem and @solana/kit, the same libraries the service checks them with. Nothing here is a real transaction:
// the Solana blockhash is made up, and the EVM transaction is never sent anywhere.
import {
  appendTransactionMessageInstruction,
  compileTransaction,
  createTransactionMessage,
  getTransactionEncoder,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Blockhash,
} from "@solana/kit";
import { serializeTransaction, type TransactionSerializable } from "viem";

/** A fixed recipient (the well-known "vitalik.eth" address is avoided: this one belongs to nobody known). */
const EVM_RECIPIENT = "0x000000000000000000000000000000000000dEaD";
const SYSTEM_PROGRAM = "11111111111111111111111111111111" as Address;
/** A made-up recent blockhash (base58 of 32 bytes): fine for signing, refused by any real cluster. */
const BLOCKHASH = "4vJ9JU1bJJE96FWSJKvHsmmFADCg4gpZQff4P3bkLKi" as Blockhash;

/** An unsigned EIP-1559 transfer of 1 wei on `chainId`, serialized (what SignTransaction takes). */
export function exampleEvmTransaction(chainId = 1, type: "legacy" | "eip2930" | "eip1559" | "eip7702" = "eip1559"): Uint8Array {
  const base = { to: EVM_RECIPIENT, value: 1n, nonce: 0, gas: 21_000n, chainId } as const;
  const tx: TransactionSerializable =
    type === "legacy"
      ? { ...base, type, gasPrice: 1_000_000_000n }
      : type === "eip2930"
        ? { ...base, type, gasPrice: 1_000_000_000n, accessList: [] }
        : type === "eip1559"
          ? { ...base, type, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n }
          : {
              ...base,
              type,
              gas: 60_000n,
              maxFeePerGas: 2_000_000_000n,
              maxPriorityFeePerGas: 1_000_000_000n,
              // An authorization someone signed earlier (the values only need to be well-formed here).
              authorizationList: [{ address: EVM_RECIPIENT, chainId, nonce: 1, r: `0x${"11".repeat(32)}`, s: `0x${"22".repeat(32)}`, yParity: 1 }],
            };
  return new Uint8Array(Buffer.from(serializeTransaction(tx).slice(2), "hex"));
}

/** EIP-712 typed data (the EIP's own "Mail" example), as eth_signTypedData_v4 takes it. */
export function exampleTypedData(withDomainType = false): Record<string, unknown> {
  return {
    domain: { name: "Ether Mail", version: "1", chainId: 1, verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" },
    types: {
      ...(withDomainType
        ? {
            EIP712Domain: [
              { name: "name", type: "string" },
              { name: "version", type: "string" },
              { name: "chainId", type: "uint256" },
              { name: "verifyingContract", type: "address" },
            ],
          }
        : {}),
      Person: [
        { name: "name", type: "string" },
        { name: "wallet", type: "address" },
      ],
      Mail: [
        { name: "from", type: "Person" },
        { name: "to", type: "Person" },
        { name: "contents", type: "string" },
      ],
    },
    primaryType: "Mail",
    message: {
      from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
      to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
      contents: "Hello, Bob!",
    },
  };
}

/**
 * An unsigned Solana transfer of 1 lamport from `payer` to `recipient` (default: itself), fee paid by `payer`, in
 * wire format with zeroed signature slots (what SignSolanaTransaction takes).
 */
export function exampleSolanaTransaction(payer: string, version: "legacy" | 0 = 0, recipient: string = payer): Uint8Array {
  const from = payer as Address;
  const to = recipient as Address;
  const data = new Uint8Array(12);
  const view = new DataView(data.buffer);
  view.setUint32(0, 2, true); // SystemInstruction::Transfer
  view.setBigUint64(4, 1n, true); // lamports
  const message = pipe(
    createTransactionMessage({ version }),
    (m) => setTransactionMessageFeePayer(from, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash: BLOCKHASH, lastValidBlockHeight: 0n }, m),
    (m) =>
      appendTransactionMessageInstruction(
        {
          programAddress: SYSTEM_PROGRAM,
          // AccountRole.WRITABLE_SIGNER = 3, AccountRole.WRITABLE = 1.
          accounts:
            from === to
              ? [{ address: from, role: 3 }]
              : [
                  { address: from, role: 3 },
                  { address: to, role: 1 },
                ],
          data,
        },
        m,
      ),
  );
  return new Uint8Array(getTransactionEncoder().encode(compileTransaction(message)));
}
