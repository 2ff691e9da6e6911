import type { Logger } from "pino";
import type { ParaEnvironment } from "../config/config.js";

export interface LocalBackend {
  para: { environment: ParaEnvironment; apiKey: string; secretApiKey: string; jwtAudience: string; apiBaseUrl: string };
  stop(): Promise<void>;
}

/**
 * Local mode (config decides it: `para.localMode`): the embedded local Para
 * backend starts in this process and the service runs against it, saying so
 * loudly. The emulator's code is loaded only here, so production never loads
 * it; the image does not even contain it.
 */
export async function startLocalBackend(logger: Logger): Promise<LocalBackend> {
  // A second lock behind config's: the emulator's admin API mints sessions and its JWKS becomes trusted, so even a
  // caller that built its own Config cannot start it in a production process.
  if (process.env["NODE_ENV"]?.trim().toLowerCase() === "production") {
    throw new Error("local mode refused: NODE_ENV is production (set PARA_API_KEY)");
  }
  const { startLocalPara, LOCAL_PARA_API_KEY, LOCAL_PARA_SECRET_API_KEY, LOCAL_PARA_API_KEY_ID } = await loadLocalPara();
  const backend = await startLocalPara();
  logger.warn(
    { apiUrl: backend.apiUrl, portalUrl: backend.portalUrl },
    "LOCAL MODE: no PARA_API_KEY set, running against the embedded local Para backend (not Para's cloud). " +
      "Mint a session with: npm run -s mint-session -- --json",
  );
  return {
    para: {
      environment: "DEV",
      apiKey: LOCAL_PARA_API_KEY,
      secretApiKey: LOCAL_PARA_SECRET_API_KEY,
      jwtAudience: LOCAL_PARA_API_KEY_ID,
      apiBaseUrl: backend.apiUrl,
    },
    stop: () => backend.stop(),
  };
}

/**
 * The production image leaves src/local-para out (Dockerfile): a build without the emulator fails here with a line
 * that says what to do, not a module-resolution stack.
 */
async function loadLocalPara(): Promise<typeof import("../local-para/index.js")> {
  try {
    return await import("../local-para/index.js");
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    // Only the emulator itself missing; anything else (a dependency it lacks, a syntax error) is reported as is.
    if (e.code === "ERR_MODULE_NOT_FOUND" && /module '[^']*local-para[\\/]index\.js'/.test(e.message)) {
      throw new Error("local mode unavailable: this build does not include the local Para backend (set PARA_API_KEY)");
    }
    throw error;
  }
}
