import { describe, expect, test } from "vitest";
import { ConfigError, envToConfig } from "../src/config/config.js";

describe("envToConfig", () => {
  test("defaults: local mode on loopback, DEV, port 50051", () => {
    const config = envToConfig({});
    expect(config.port).toBe(50051);
    expect(config.host).toBe("127.0.0.1");
    expect(config.para.apiKey).toBeUndefined();
    expect(config.para.environment).toBe("DEV");
    expect(config.para.apiBaseUrl).toBe("http://localhost:8080");
    expect(config.limits.maxWireBytes).toBeGreaterThan(0);
  });

  test("a key's prefix chooses the environment when none is set", () => {
    expect(envToConfig({ PARA_API_KEY: "prod_abc" }).para.environment).toBe("PROD");
    expect(envToConfig({ PARA_API_KEY: "plainkey" }).para.environment).toBe("BETA");
    expect(envToConfig({ PARA_API_KEY: "plainkey", PARA_ENVIRONMENT: "dev" }).para.apiBaseUrl).toBe("http://localhost:8080");
  });

  test.each([
    { note: "port not a number", env: { PORT: "abc" }, names: "PORT" },
    { note: "port out of range", env: { PORT: "70000" }, names: "PORT" },
    { note: "unknown environment", env: { PARA_ENVIRONMENT: "staging" }, names: "PARA_ENVIRONMENT" },
    { note: "unknown log level", env: { LOG_LEVEL: "loud" }, names: "LOG_LEVEL" },
    { note: "key prefix contradicts environment", env: { PARA_API_KEY: "prod_s3cr3t", PARA_ENVIRONMENT: "DEV" }, names: "PARA_API_KEY" },
    { note: "unknown key prefix", env: { PARA_API_KEY: "my_s3cr3t" }, names: "PARA_API_KEY" },
    { note: "deadline cap too small", env: { SIGNER_MAX_TIMEOUT_MS: "5" }, names: "SIGNER_MAX_TIMEOUT_MS" },
    { note: "credential limit below the floor", env: { SIGNER_MAX_CREDENTIAL_CHARS: "100" }, names: "SIGNER_MAX_CREDENTIAL_CHARS" },
    { note: "credential limit not a number", env: { SIGNER_MAX_CREDENTIAL_CHARS: "16k" }, names: "SIGNER_MAX_CREDENTIAL_CHARS" },
    { note: "address limit below the floor", env: { SIGNER_MAX_ADDRESS_CHARS: "42" }, names: "SIGNER_MAX_ADDRESS_CHARS" },
    { note: "address limit above the ceiling", env: { SIGNER_MAX_ADDRESS_CHARS: "5000" }, names: "SIGNER_MAX_ADDRESS_CHARS" },
    { note: "TLS key without certificate", env: { TLS_KEY_FILE: "/etc/hostname" }, names: "TLS_CERT_FILE" },
    { note: "unreadable TLS file", env: { TLS_CERT_FILE: "/nonexistent/cert.pem", TLS_KEY_FILE: "/etc/hostname" }, names: "TLS_CERT_FILE" },
    { note: "authz policy not JSON", env: { SIGNER_AUTHZ_POLICY: "{nope" }, names: "SIGNER_AUTHZ_POLICY" },
    { note: "authz policy names an unknown RPC", env: { SIGNER_AUTHZ_POLICY: '{"allow":{"spiffe://x":["Steal"]}}' }, names: "SIGNER_AUTHZ_POLICY" },
  ])("$note: refused with a message naming $names", ({ env, names }) => {
    let error: unknown;
    try {
      envToConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(`${names}:`)).toBe(true);
    expect(message).not.toContain("s3cr3t");
  });
});

describe("local mode is decided once, and fails closed", () => {
  test("only an absent PARA_API_KEY outside production means local mode", () => {
    expect(envToConfig({}).para.localMode).toBe(true);
    expect(envToConfig({ NODE_ENV: "development" }).para.localMode).toBe(true);
    expect(envToConfig({ NODE_ENV: "test" }).para.localMode).toBe(true);
    const keyed = envToConfig({ NODE_ENV: "production", PARA_API_KEY: "beta_abc" }).para;
    expect(keyed.localMode).toBe(false);
    expect(keyed.apiKey).toBe("beta_abc");
  });

  test.each([
    { note: "empty key (an empty Kubernetes Secret value)", env: { PARA_API_KEY: "" }, says: "set but empty" },
    { note: "blank key", env: { PARA_API_KEY: " \t" }, says: "set but empty" },
    { note: "empty key in production", env: { PARA_API_KEY: "", NODE_ENV: "production" }, says: "set but empty" },
    { note: "production without a key", env: { NODE_ENV: "production" }, says: "NODE_ENV=production" },
    { note: "production, spelled loosely, without a key", env: { NODE_ENV: " Production " }, says: "NODE_ENV=production" },
  ])("$note: a ConfigError naming PARA_API_KEY", ({ env, says }) => {
    expect(() => envToConfig(env)).toThrow(ConfigError);
    expect(() => envToConfig(env)).toThrow(/^PARA_API_KEY: /);
    expect(() => envToConfig(env)).toThrow(says);
  });
});

describe("hardened-edge settings", () => {
  test("PARA_JWT_ISSUER is optional; SIGNER_MAX_HEALTH_WATCHERS has a bounded default", () => {
    expect(envToConfig({}).para.jwtIssuer).toBeUndefined();
    expect(envToConfig({ PARA_JWT_ISSUER: "https://para.example" }).para.jwtIssuer).toBe("https://para.example");
    expect(envToConfig({}).limits.maxHealthWatchers).toBe(256);
    expect(envToConfig({ SIGNER_MAX_HEALTH_WATCHERS: "3" }).limits.maxHealthWatchers).toBe(3);
    expect(() => envToConfig({ SIGNER_MAX_HEALTH_WATCHERS: "0" })).toThrow(/^SIGNER_MAX_HEALTH_WATCHERS: /);
  });
});

describe("request field limits", () => {
  test("SIGNER_PARA_ANONYMOUS_ANSWER_MS: 30 s by default, 0 turns reuse off, refused out of range", () => {
    expect(envToConfig({}).limits.anonymousAnswerMs).toBe(30_000);
    expect(envToConfig({ SIGNER_PARA_ANONYMOUS_ANSWER_MS: "0" }).limits.anonymousAnswerMs).toBe(0);
    expect(() => envToConfig({ SIGNER_PARA_ANONYMOUS_ANSWER_MS: "-1" })).toThrow(/^SIGNER_PARA_ANONYMOUS_ANSWER_MS: /);
    expect(() => envToConfig({ SIGNER_PARA_ANONYMOUS_ANSWER_MS: "30s" })).toThrow(/^SIGNER_PARA_ANONYMOUS_ANSWER_MS: /);
    expect(envToConfig({ SIGNER_PARA_ANONYMOUS_ANSWER_MS: "3600000" }).limits.anonymousAnswerMs).toBe(3_600_000);
    expect(() => envToConfig({ SIGNER_PARA_ANONYMOUS_ANSWER_MS: "3600001" })).toThrow(/^SIGNER_PARA_ANONYMOUS_ANSWER_MS: /);
  });

  test("SIGNER_SDK_THREAD_HEAP_MB: 2000 MiB by default, 0 leaves V8's own limit, refused below 256", () => {
    expect(envToConfig({}).limits.sdkThreadHeapMb).toBe(2000);
    expect(envToConfig({ SIGNER_SDK_THREAD_HEAP_MB: "0" }).limits.sdkThreadHeapMb).toBe(0);
    expect(envToConfig({ SIGNER_SDK_THREAD_HEAP_MB: "256" }).limits.sdkThreadHeapMb).toBe(256);
    expect(() => envToConfig({ SIGNER_SDK_THREAD_HEAP_MB: "255" })).toThrow(/^SIGNER_SDK_THREAD_HEAP_MB: 255 is below 256/);
    expect(() => envToConfig({ SIGNER_SDK_THREAD_HEAP_MB: "1g" })).toThrow(/^SIGNER_SDK_THREAD_HEAP_MB: /);
    expect(envToConfig({ SIGNER_SDK_THREAD_HEAP_MB: "65536" }).limits.sdkThreadHeapMb).toBe(65_536);
    expect(() => envToConfig({ SIGNER_SDK_THREAD_HEAP_MB: "65537" })).toThrow(/^SIGNER_SDK_THREAD_HEAP_MB: /);
  });

  test("SIGNER_SDK_THREAD_YOUNG_MB: 96 MiB by default, 0 leaves V8's own, refused below 16 and past 1024", () => {
    expect(envToConfig({}).limits.sdkThreadYoungMb).toBe(96);
    expect(envToConfig({ SIGNER_SDK_THREAD_YOUNG_MB: "0" }).limits.sdkThreadYoungMb).toBe(0);
    expect(envToConfig({ SIGNER_SDK_THREAD_YOUNG_MB: "16" }).limits.sdkThreadYoungMb).toBe(16);
    expect(() => envToConfig({ SIGNER_SDK_THREAD_YOUNG_MB: "15" })).toThrow(/^SIGNER_SDK_THREAD_YOUNG_MB: 15 is below 16/);
    expect(envToConfig({ SIGNER_SDK_THREAD_YOUNG_MB: "1024" }).limits.sdkThreadYoungMb).toBe(1024);
    expect(() => envToConfig({ SIGNER_SDK_THREAD_YOUNG_MB: "1025" })).toThrow(/^SIGNER_SDK_THREAD_YOUNG_MB: /);
  });

  test("para.proxyConfigured: any proxy variable axios reads (either case, npm's too), else false", () => {
    expect(envToConfig({}).para.proxyConfigured).toBe(false);
    expect(envToConfig({ HTTPS_PROXY: "http://proxy:3128" }).para.proxyConfigured).toBe(true);
    expect(envToConfig({ http_proxy: "http://proxy:3128" }).para.proxyConfigured).toBe(true);
    expect(envToConfig({ npm_config_https_proxy: "http://proxy:3128" }).para.proxyConfigured).toBe(true);
    expect(envToConfig({ HTTPS_PROXY: " " }).para.proxyConfigured).toBe(false);
  });

  test("batch and idempotency limits: defaults, read from the environment, refused out of range", () => {
    const defaults = envToConfig({}).limits;
    expect(defaults).toMatchObject({
      maxBatchItems: 64,
      maxBatchMessageBytes: 256 * 1024,
      idempotencyTtlMs: 24 * 3_600_000,
      idempotencyMaxEntries: 100_000,
      idempotencyMaxBytes: 64 * 1024 * 1024,
    });
    const set = envToConfig({ SIGNER_MAX_BATCH_ITEMS: "10", SIGNER_IDEMPOTENCY_TTL_MS: "60000" }).limits;
    expect(set.maxBatchItems).toBe(10);
    expect(set.idempotencyTtlMs).toBe(60_000);
    expect(() => envToConfig({ SIGNER_MAX_BATCH_ITEMS: "0" })).toThrow(/SIGNER_MAX_BATCH_ITEMS/);
    expect(() => envToConfig({ SIGNER_IDEMPOTENCY_MAX_BYTES: "1k" })).toThrow(/SIGNER_IDEMPOTENCY_MAX_BYTES/);
  });

  test("SIGNER_MAX_CREDENTIAL_CHARS and SIGNER_MAX_ADDRESS_CHARS: defaults 16 KiB and 256, read from the environment", () => {
    const defaults = envToConfig({}).limits;
    expect(defaults.maxCredentialChars).toBe(16 * 1024);
    expect(defaults.maxAddressChars).toBe(256);
    const set = envToConfig({ SIGNER_MAX_CREDENTIAL_CHARS: " 4096 ", SIGNER_MAX_ADDRESS_CHARS: "64" }).limits;
    expect(set.maxCredentialChars).toBe(4096);
    expect(set.maxAddressChars).toBe(64);
  });
});
