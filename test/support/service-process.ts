import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  out(): string;
  err(): string;
  /** The port from the service's "listening" log line (it runs on PORT=0). */
  port(): Promise<number>;
}

/**
 * The service as its own process: node itself with `args` (not a wrapper
 * such as tsx's CLI, which does not always relay SIGTERM), a minimal
 * environment plus `env`, output captured.
 */
export function spawnService(args: string[], env: Record<string, string>, cwd = REPO_ROOT): ServiceProcess {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env["PATH"] ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    async port() {
      let port = 0;
      for (let i = 0; i < 300 && !port; i++) {
        await new Promise((r) => setTimeout(r, 50));
        port = Number(/"port":(\d+)/.exec(stdout)?.[1] ?? 0);
      }
      expect(port, `no "listening" line:\n${stdout}\n${stderr}`).toBeGreaterThan(0);
      return port;
    },
  };
}

/** Polls grpc.health.v1 Check for `service` until it answers `want` (or gives up); returns the last answer. */
export async function waitForHealth(port: number, want: S, service = "", tries = 200): Promise<S> {
  const health = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}`, idleConnectionTimeoutMs: 50 }));
  let status = S.UNKNOWN;
  for (let i = 0; i < tries; i++) {
    status = await health.check({ service }).then(
      (r) => r.status,
      () => S.UNKNOWN,
    );
    if (status === want) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return status;
}
