import { defineConfig } from "vitest/config";

/**
 * Three tiers. `unit` needs nothing listening: pure functions, fakes of the boundary's interfaces, in-memory
 * transports and real HTTP/2 servers on port 0 with stub routes. `tools` needs no fixed port either, but runs
 * external tools or floods (buf, kustomize rendering, 400 MiB of hostile bodies): seconds each, so kept out of the
 * quick tier. `integration` runs the real service and the real SDK against ONE local Para backend for the whole
 * run: the SDK's DEV environment pins it to ports 8080 and 3003 (its global setup waits while another run holds
 * them). A new test file lands in `integration` unless it is listed in UNIT or TOOLS, so nothing that needs the
 * backend can run without it.
 *
 *   npx vitest run --project unit          # seconds, no ports
 *   npx vitest run --project tools
 *   npx vitest run --project integration
 */
const UNIT = [
  "test/authz/**/*.test.ts",
  "test/bench/**/*.test.ts",
  "test/cluster-backoff.test.ts",
  "test/deploy/manifests.test.ts",
  "test/deploy/otel-collector.test.ts",
  "test/errors/**/*.test.ts",
  "test/grpc-js-health.test.ts",
  "test/health-watch-limit.test.ts",
  "test/health.test.ts",
  "test/hostile/session-decoder-*.test.ts",
  "test/idempotency/**/*.test.ts",
  "test/limits/**/*.test.ts",
  "test/para/**/*.test.ts",
  "test/reflection/**/*.test.ts",
  "test/server.test.ts",
  "test/signer/handlers/**/*.test.ts",
  "test/signer/validation/**/*.test.ts",
  "test/telemetry/in-flight-gauge.test.ts",
  "test/telemetry/logging-interceptor.test.ts",
  "test/telemetry/sync-context-manager.test.ts",
  "test/telemetry/tracing-interceptor.test.ts",
  "test/transport/**/*.test.ts",
];

/** No fixed ports, but external tools or floods: buf generate / build / curl, kustomize rendering, the body flood. */
const TOOLS = ["test/deploy/kustomize.test.ts", "test/generated-code.test.ts", "test/hostile/body-flood.test.ts", "test/reflection/buf-curl.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      // Each file in its own process, as in every tier: several unit files run the SDK, whose signing worker is
      // process-wide (docs/para-sdk.md §2.3); sharing processes let one file's worker answer another's jobs.
      { extends: true, test: { name: "unit", include: UNIT, exclude: TOOLS } },
      { extends: true, test: { name: "tools", include: TOOLS } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...UNIT, ...TOOLS],
          globalSetup: ["test/support/global-setup.ts"],
        },
      },
    ],
  },
});
