import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { expect, test } from "vitest";
import { REPO_ROOT } from "../support/service-process.js";

interface CollectorConfig {
  receivers: Record<string, unknown>;
  processors?: Record<string, unknown>;
  exporters: Record<string, unknown>;
  extensions?: Record<string, unknown>;
  service: {
    extensions?: string[];
    pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
  };
}

test("deploy/otel-collector/config.yaml parses and every pipeline names defined components", () => {
  const config = parse(readFileSync(join(REPO_ROOT, "deploy/otel-collector/config.yaml"), "utf8"), { strict: true, uniqueKeys: true }) as CollectorConfig;
  expect(Object.keys(config.service.pipelines).sort()).toEqual(["metrics", "traces"]);
  const problems: string[] = [];
  // A component id is `type` or `type/name`; it must be defined under its section.
  const check = (section: keyof Omit<CollectorConfig, "service">, ids: string[] | undefined, where: string) => {
    for (const id of ids ?? []) if (!(id in (config[section] ?? {}))) problems.push(`${where}: ${section} ${id} is not defined`);
  };
  for (const [name, p] of Object.entries(config.service.pipelines)) {
    expect(p.receivers.length, name).toBeGreaterThan(0);
    expect(p.exporters.length, name).toBeGreaterThan(0);
    check("receivers", p.receivers, name);
    check("processors", p.processors, name);
    check("exporters", p.exporters, name);
    // memory_limiter must come first and batch last, as the collector's docs require.
    if (p.processors?.includes("memory_limiter")) expect(p.processors[0], name).toBe("memory_limiter");
    if (p.processors?.includes("batch")) expect(p.processors.at(-1), name).toBe("batch");
  }
  check("extensions", config.service.extensions, "service");
  expect(problems).toEqual([]);
  // The service speaks OTLP/HTTP: the receiver must accept it on 4318.
  expect(JSON.stringify(config.receivers["otlp"])).toContain(":4318");
  // The dashboard's metric names are the service's own; the collector's Prometheus exporter must not add suffixes.
  expect((config.exporters["prometheus"] as { add_metric_suffixes?: boolean }).add_metric_suffixes).toBe(false);
});
