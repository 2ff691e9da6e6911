import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { describe, expect, test } from "vitest";
import { Health, HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { MessageFormat, SignerService } from "../../gen/para/signer/v1/signer_service_pb.js";
import { failure } from "../support/failure.js";
import { localPara } from "../support/local-para-admin.js";
import { REPO_ROOT, spawnService, waitForHealth } from "../support/service-process.js";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Metric name → label names seen on it, from Prometheus text exposition. */
export function parseExposition(text: string): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!m) continue;
    const labels = series.get(m[1]!) ?? new Set<string>();
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(l[1]!);
    series.set(m[1]!, labels);
  }
  return series;
}

const PROMQL_WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan"]);

/** The metric names and grouping labels a PromQL expression uses (Grafana variables like $__rate_interval removed). */
export function promqlNames(expr: string): { metrics: string[]; labels: string[] } {
  const labels: string[] = [];
  let rest = expr.replace(/\$__\w+|\$\{?\w+\}?/g, "1m").replace(/"(?:[^"\\]|\\.)*"/g, '""');
  rest = rest.replace(/\{([^}]*)\}/g, (_, inner: string) => {
    for (const m of inner.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.push(m[1]!);
    return "";
  });
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, inner: string) => {
    labels.push(
      ...inner
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
    return "";
  });
  rest = rest.replace(/\[[^\]]*\]/g, "");
  // Words not followed by "(" (functions, aggregations) and not numbers are metric names.
  const metrics = [...rest.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*\b(?!\s*\()/g)].map((m) => m[0]).filter((w) => !PROMQL_WORDS.has(w.toLowerCase()));
  return { metrics: [...new Set(metrics)], labels: [...new Set(labels)] };
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

function dashboardExprs(): Array<{ panel: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, "deploy/grafana/para-signer.json"), "utf8")) as { panels: Panel[] };
  const walk = (panels: Panel[]): Array<{ panel: string; expr: string }> =>
    panels.flatMap((p) => [...(p.targets ?? []).filter((t) => t.expr).map((t) => ({ panel: p.title ?? "?", expr: t.expr! })), ...walk(p.panels ?? [])]);
  return walk(dashboard.panels);
}

describe("Prometheus scrape endpoint and the Grafana dashboard", () => {
  test("OTEL_METRICS_EXPORTER=prometheus serves /metrics; every dashboard query names metrics and labels the service emits", async () => {
    const key = await localPara.createApiKey();
    const promPort = await freePort();
    const service = spawnService(["--import", "tsx", "--import", "./src/runtime/otel.ts", "src/runtime/main.ts"], {
      PORT: "0",
      PARA_ENVIRONMENT: "DEV",
      PARA_API_KEY: key.apiKey,
      PARA_SECRET_API_KEY: key.secretApiKey,
      PARA_JWT_AUDIENCE: key.apiKeyId,
      SIGNER_DRAIN_DELAY_MS: "0",
      OTEL_METRICS_EXPORTER: "prometheus",
      OTEL_EXPORTER_PROMETHEUS_HOST: "127.0.0.1",
      OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
    });
    try {
      const port = await service.port();
      expect(await waitForHealth(port, S.SERVING)).toBe(S.SERVING);
      const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}`, idleConnectionTimeoutMs: 50 });
      const signer = createClient(SignerService, transport);
      const minted = await localPara.mintSession({ apiKey: key.apiKey });
      await signer.signMessage({ session: minted.session, message: new Uint8Array(4), format: MessageFormat.EIP191 });
      await signer.checkSession({ session: minted.session });
      await failure(signer.checkSession({ session: "bad" }));
      await createClient(Health, transport).check({ service: "" });

      const res = await fetch(`http://127.0.0.1:${promPort}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      if (process.env["PRINT_EXPOSITION"]) console.log(text);
      const emitted = parseExposition(text);
      expect([...emitted.keys()]).toEqual(expect.arrayContaining(["rpc_server_call_duration_bucket", "para_client_request_duration_bucket"]));

      const exprs = dashboardExprs();
      expect(exprs.length).toBeGreaterThanOrEqual(8);
      const problems: string[] = [];
      for (const { panel, expr } of exprs) {
        const { metrics, labels } = promqlNames(expr);
        if (metrics.length === 0) problems.push(`${panel}: no metric in ${expr}`);
        for (const metric of metrics) {
          const seen = emitted.get(metric);
          if (!seen) {
            problems.push(`${panel}: ${metric} is not emitted`);
            continue;
          }
          for (const label of labels) if (!seen.has(label)) problems.push(`${panel}: ${metric} has no label ${label}`);
        }
      }
      expect(problems, `emitted: ${[...emitted.keys()].join(", ")}`).toEqual([]);
    } finally {
      service.child.kill("SIGTERM");
      await service.exited;
    }
  }, 60_000);

  test("the PromQL reader finds metric names and labels", () => {
    expect(promqlNames('histogram_quantile(0.99, sum by (le, rpc_method) (rate(rpc_server_call_duration_bucket{rpc_service="x"}[$__rate_interval])))')).toEqual(
      {
        metrics: ["rpc_server_call_duration_bucket"],
        labels: ["rpc_service", "le", "rpc_method"],
      },
    );
  });
});
