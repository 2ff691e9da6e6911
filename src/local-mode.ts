import type { Logger } from "pino";
import type { ParaEnvironment } from "./config.js";

export interface LocalBackend {
  para: { environment: ParaEnvironment; apiKey: string; secretApiKey: string; jwtAudience: string; apiBaseUrl: string };
  stop(): Promise<void>;
}

/**
 * Local mode: with no PARA_API_KEY, the embedded local Para backend starts in
 * this process and the service runs against it, saying so loudly. The
 * emulator's code is loaded only here, so production never loads it.
 */
export async function startLocalBackend(logger: Logger): Promise<LocalBackend> {
  const { startLocalPara, LOCAL_PARA_API_KEY, LOCAL_PARA_SECRET_API_KEY, LOCAL_PARA_API_KEY_ID } = await import("./local-para/index.js");
  const backend = await startLocalPara();
  logger.warn(
    { apiUrl: backend.apiUrl, portalUrl: backend.portalUrl },
    "LOCAL MODE: no PARA_API_KEY set, running against the embedded local Para backend (not Para's cloud). " +
      "Mint a session with: npm run -s mint-session -- --json",
  );
  return {
    para: { environment: "DEV", apiKey: LOCAL_PARA_API_KEY, secretApiKey: LOCAL_PARA_SECRET_API_KEY, jwtAudience: LOCAL_PARA_API_KEY_ID, apiBaseUrl: backend.apiUrl },
    stop: () => backend.stop(),
  };
}
