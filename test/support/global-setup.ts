// vitest globalSetup of the integration tier: ONE local Para backend for the whole run. Environment.DEV pins the
// SDK to ports 8080 and 3003, so every test process shares it over HTTP (test/support/local-para-admin.ts); each
// test file isolates itself with its own API key. When another test run holds the ports, this one waits for them
// (so two `npm test` on one machine take turns on this tier) rather than failing.
import { startLocalPara, type LocalPara } from "../../src/local-para/index.js";

const WAIT_FOR_PORTS_MS = 20 * 60_000;

export default async function setup(): Promise<() => Promise<void>> {
  const deadline = Date.now() + WAIT_FOR_PORTS_MS;
  let said = false;
  for (;;) {
    try {
      const backend: LocalPara = await startLocalPara();
      return async () => {
        await backend.stop();
      };
    } catch (e) {
      const message = (e as Error).message;
      if (!message.includes("already in use") || Date.now() > deadline) {
        // The message already names the port; say what to do about it.
        throw new Error(`${message} — stop it before running the tests.`);
      }
      if (!said) process.stderr.write(`integration tests: ports 8080/3003 are in use (another test run?); waiting for them\n`);
      said = true;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}
