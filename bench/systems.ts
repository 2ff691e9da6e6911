/**
 * The systems under test and how to start them: each is its own child
 * process (so CPU and RSS are per system), started with `node --import tsx`
 * on a free port, with the same environment apart from what each needs.
 * Every system runs with LOG_LEVEL=warn: para-signer's per-call access line
 * is info, so no system writes a line per request, and the SDK's console
 * output (routed to debug by both para-signer and the Express pattern) is dropped.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as net from "node:net";
import { fileURLToPath } from "node:url";

export const LOG_LEVEL = "warn";
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export type Protocol = "grpc" | "http1";

export interface SystemSpec {
  id: string;
  label: string;
  protocol: Protocol;
  /** Entry module, relative to the repo root. */
  entry: string;
  /** Extra node arguments before the entry (preloads, --cpu-prof). */
  nodeArgs: string[];
  env: Record<string, string>;
  /** Where the entry is run from (default: this repository); a checkout of another commit for the baseline. */
  cwd?: string;
}

export interface ParaKey {
  apiKey: string;
  secretApiKey: string;
  apiKeyId: string;
}

export interface SpecOptions {
  key: ParaKey;
  /** OTLP/HTTP endpoint for the tracing-on variant. */
  otlpUrl?: string;
  /** Directory for --cpu-prof output of para-signer (tracing off), when profiling. */
  cpuProfDir?: string;
}

/** Node flags from a space-separated environment variable (for experiments). */
const nodeArgsFrom = (name: string): string[] => (process.env[name] ?? "").split(" ").filter(Boolean);

/** NAME=value settings from a space-separated environment variable (for experiments). */
function settingsFrom(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of nodeArgsFrom(name)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`${name}: "${pair}" is not NAME=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Node flags for the Express pattern, for experiments (e.g. --cpu-prof to compare profiles). */
const EXPRESS_NODE_ARGS = nodeArgsFrom("BENCH_EXPRESS_NODE_ARGS");

/**
 * The V8 flags para-signer's start script and image run it with, and so every para-signer system of the bench (the
 * docs' pattern runs as the docs give it: plain `node`). test/deploy/runtime-flags.test.ts checks the image, the start
 * script and these agree. `--no-memory-reducer`: V8 shrinks an idle heap (full GCs, a smaller young generation), and the first
 * seconds of load after a quiet spell then pay for growing every heap back: the main thread's, each SDK thread's and
 * each signing worker's (bench/results/memory-reducer.md).
 */
export const SIGNER_RUNTIME_FLAGS = ["--no-memory-reducer"] as const;

/**
 * Node flags para-signer runs with: those of its start script and image, then BENCH_SIGNER_NODE_ARGS (for
 * experiments; a later V8 flag wins, so `--memory-reducer` there measures V8's default).
 */
const SIGNER_NODE_ARGS = [...SIGNER_RUNTIME_FLAGS, ...nodeArgsFrom("BENCH_SIGNER_NODE_ARGS")];

export function systemSpecs(o: SpecOptions): SystemSpec[] {
  const para = { PARA_ENVIRONMENT: "DEV", PARA_API_KEY: o.key.apiKey, PARA_SECRET_API_KEY: o.key.secretApiKey, PARA_JWT_AUDIENCE: o.key.apiKeyId };
  // No pre-close drain delay (meant for a load balancer to notice NOT_SERVING): the bench stops each system
  // only after its last call, and the delay would add seconds per system to every run.
  const signer = { ...para, SIGNER_DRAIN_DELAY_MS: "0" };
  const specs: SystemSpec[] = [
    {
      id: "para-signer",
      label: "para-signer",
      protocol: "grpc",
      entry: "src/runtime/main.ts",
      nodeArgs: [...SIGNER_NODE_ARGS, ...(o.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${o.cpuProfDir}`] : [])],
      env: signer,
    },
  ];
  specs.push({
    id: "para-signer-x2",
    label: "para-signer ×2 processes",
    protocol: "grpc",
    entry: "src/runtime/main.ts",
    nodeArgs: [...SIGNER_NODE_ARGS],
    env: { ...signer, SIGNER_WORKERS: "2" },
  });
  if (o.otlpUrl) {
    // Tracing on with head sampling at 10% (parent-based: a caller's sampled trace is always followed).
    specs.push({
      id: "para-signer+otel-sampled",
      label: "para-signer (tracing on, 10% sampled)",
      protocol: "grpc",
      entry: "src/runtime/main.ts",
      nodeArgs: [...SIGNER_NODE_ARGS, "--import", "./src/runtime/otel.ts"],
      env: {
        ...signer,
        OTEL_EXPORTER_OTLP_ENDPOINT: o.otlpUrl,
        OTEL_SERVICE_NAME: "para-signer-bench",
        OTEL_BSP_SCHEDULE_DELAY: "250",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1",
      },
    });
  }
  // The SDK on the main thread (as before SDK threads): what the threads buy, measured in the same rounds.
  specs.push({
    id: "para-signer-inline",
    label: "para-signer, SDK on the main thread",
    protocol: "grpc",
    entry: "src/runtime/main.ts",
    nodeArgs: [...SIGNER_NODE_ARGS],
    env: { ...signer, SIGNER_SDK_THREADS: "0" },
  });
  if (o.otlpUrl) {
    specs.push({
      id: "para-signer+otel",
      label: "para-signer (tracing on)",
      protocol: "grpc",
      entry: "src/runtime/main.ts",
      nodeArgs: [...SIGNER_NODE_ARGS, "--import", "./src/runtime/otel.ts"],
      // Spans go out every 250 ms rather than the default 5 s, so their export cost falls inside this system's own
      // turn instead of spilling onto whichever system is measured next (more, smaller exports: if anything, dearer).
      env: { ...signer, OTEL_EXPORTER_OTLP_ENDPOINT: o.otlpUrl, OTEL_SERVICE_NAME: "para-signer-bench", OTEL_BSP_SCHEDULE_DELAY: "250" },
    });
  }
  // An experiment: para-signer once more with other node flags and/or settings, measured in the same rounds.
  const variant = nodeArgsFrom("BENCH_VARIANT_NODE_ARGS");
  const variantEnv = settingsFrom("BENCH_VARIANT_ENV");
  if (variant.length > 0 || Object.keys(variantEnv).length > 0) {
    specs.push({
      id: "para-signer-variant",
      label: `para-signer ${[...variant, ...Object.entries(variantEnv).map(([k, v]) => `${k}=${v}`)].join(" ")}`,
      protocol: "grpc",
      entry: "src/runtime/main.ts",
      nodeArgs: [...SIGNER_NODE_ARGS, ...variant],
      env: { ...signer, ...variantEnv },
    });
  }
  // The same para-signer at another commit (BENCH_BASELINE_REF, checked out by run.ts), measured in the same rounds:
  // what a change costs, paired against the code before it.
  const baselineDir = process.env["BENCH_BASELINE_DIR"];
  if (baselineDir) {
    const ref = process.env["BENCH_BASELINE_REF"] ?? "baseline";
    specs.push({
      id: "para-signer-baseline",
      label: `para-signer @ ${ref}`,
      protocol: "grpc",
      entry: existsSync(join(baselineDir, "src/runtime/main.ts")) ? "src/runtime/main.ts" : "src/main.ts",
      nodeArgs: [...SIGNER_NODE_ARGS],
      env: signer,
      cwd: baselineDir,
    });
  }
  specs.push(
    { id: "express-pattern", label: "docs' Express pattern", protocol: "http1", entry: "bench/express-pattern.ts", nodeArgs: EXPRESS_NODE_ARGS, env: para },
    { id: "floor", label: "floor", protocol: "grpc", entry: "bench/floor-server.ts", nodeArgs: [], env: para },
  );
  return specs;
}

export interface RunningSystem {
  spec: SystemSpec;
  pid: number;
  port: number;
  /** The last lines the child wrote (stdout and stderr), for diagnosing a failed start. */
  tail: string[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Only what node and tsx need, so no OTEL_* or PARA_* variable of the bench's own shell leaks into a system. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR", "LANG", "TZ"]) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  // para-signer's own tuning knobs pass through, for experiments (e.g. SIGNER_POOL_SIZE=0).
  for (const [name, v] of Object.entries(process.env)) if (name.startsWith("SIGNER_") && v !== undefined) env[name] = v;
  return env;
}

/**
 * Starts a system and resolves once its port accepts connections. The port is
 * chosen here rather than read from a "listening" log line, because that line
 * is info level and every system runs at warn.
 */
/** `onLine` sees every line the child writes (the soak scans them all for leaked secrets). */
export async function launch(spec: SystemSpec, timeoutMs = 30_000, onLine?: (line: string) => void): Promise<RunningSystem> {
  const port = await freePort();
  const args = ["--import", "tsx", ...spec.nodeArgs, spec.entry];
  // BENCH_SYSTEM_CPUS pins every system to those CPUs (taskset's list, e.g. "1"), to check the core projection.
  const cpus = process.env["BENCH_SYSTEM_CPUS"];
  const [command, argv] = cpus ? ["taskset", ["-c", cpus, process.execPath, ...args]] : [process.execPath, args];
  const child: ChildProcess = spawn(command, argv, {
    cwd: spec.cwd ?? REPO_ROOT,
    env: { ...baseEnv(), LOG_LEVEL, ...spec.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  const keeper = () => {
    let partial = "";
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? ""; // a line cut between chunks waits for its end
      for (const line of lines) {
        if (!line) continue;
        tail.push(line.slice(0, 400));
        onLine?.(line);
      }
      if (tail.length > 40) tail.splice(0, tail.length - 40);
    };
  };
  child.stdout?.on("data", keeper());
  child.stderr?.on("data", keeper());
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let dead = false;
  void exited.then(() => (dead = true));
  const running: RunningSystem = {
    spec,
    pid: child.pid ?? -1,
    port,
    tail,
    async stop() {
      if (dead) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (dead) throw new Error(`${spec.id} exited during start-up:\n${tail.join("\n")}`);
    if (Date.now() > deadline) {
      await running.stop();
      throw new Error(`${spec.id} did not listen within ${timeoutMs} ms:\n${tail.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return running;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
