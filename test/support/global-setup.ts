// vitest globalSetup: ONE local Para backend for the whole run. Environment.DEV pins the SDK to ports 8080/3003,
// so every test process shares it over HTTP (test/support/local-para-admin.ts); each test file isolates itself
// with its own API key.
import { startLocalPara, type LocalPara } from "../../src/local-para/index.js";

export default async function setup(): Promise<() => Promise<void>> {
  let backend: LocalPara;
  try {
    backend = await startLocalPara();
  } catch (e) {
    // The message already names the port; say what to do about it.
    throw new Error(`${(e as Error).message} — stop it before running the tests.`);
  }
  return async () => {
    await backend.stop();
  };
}
