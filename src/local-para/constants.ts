// Published, non-secret identifiers of the local backend's default key. They only ever unlock the emulator on
// loopback, so printing them in banners and docs is fine (docs/design.md §8 exempts the `dev_` key).

export const LOCAL_PARA_API_KEY = "dev_local_para_signer_public";
export const LOCAL_PARA_SECRET_API_KEY = "dev_secret_local_para_signer";
export const LOCAL_PARA_API_KEY_ID = "local-para-key-default";
export const LOCAL_PARA_PARTNER_ID = "local-para-partner-default";

export const DEFAULT_API_PORT = 8080;
export const DEFAULT_PORTAL_PORT = 3003;
export const DEFAULT_HOSTS: readonly string[] = ["127.0.0.1", "::1"];
export const DEFAULT_SESSION_LENGTH_MS = 2 * 60 * 60 * 1000;

/** JWT issuer claim; real Para uses its own, callers should only check `aud`. */
export const JWT_ISSUER = "para-local";

/** Every request under this prefix on the API port is the emulator's own admin/MPC surface, never Para's. */
export const ADMIN_PREFIX = "/_local/";
