/**
 * OpenTelemetry SDK bootstrap, preloaded before the app:
 *   node --import ./dist/src/runtime/otel.js dist/src/runtime/main.js
 *
 * It does nothing (the app runs on the API's no-op implementation, at no
 * cost) unless an exporter is configured with the standard variables:
 * - OTLP: OTEL_EXPORTER_OTLP_ENDPOINT (or the _TRACES_ / _METRICS_ variants).
 *   The NodeSDK exports traces and metrics over OTLP/HTTP, honouring
 *   OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf by default, or http/json),
 *   OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and the
 *   other OTEL_* variables. Metrics are pushed every OTEL_METRIC_EXPORT_INTERVAL
 *   ms: 15000 here unless set (the SDK's own default is 60000).
 * - Prometheus: OTEL_METRICS_EXPORTER=prometheus (or a list with it, e.g.
 *   "otlp,prometheus") serves /metrics on OTEL_EXPORTER_PROMETHEUS_HOST
 *   (default 0.0.0.0) and OTEL_EXPORTER_PROMETHEUS_PORT (default 9464). With
 *   no OTLP endpoint, traces are then not exported (OTEL_TRACES_EXPORTER=none).
 * No auto-instrumentation is loaded: the service creates its own spans
 * (Connect interceptor, Para boundary), and carries each call's trace context
 * itself rather than through AsyncLocalStorage (telemetry/sync-context-manager.ts),
 * so an instrumentation added here would not see the calls' contexts.
 */
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { B3Propagator } from "@opentelemetry/propagator-b3";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { onShutdown } from "../telemetry/shutdown-hooks.js";
import { SynchronousContextManager } from "../telemetry/sync-context-manager.js";

const env = process.env;
const otlp = Boolean(env["OTEL_EXPORTER_OTLP_ENDPOINT"] || env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] || env["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]);
const metricsExporters = (env["OTEL_METRICS_EXPORTER"] ?? "").split(",").map((v) => v.trim().toLowerCase());
const prometheus = metricsExporters.includes("prometheus");

/** The metric push interval when OTEL_METRIC_EXPORT_INTERVAL is not set: dashboards want better than the SDK's 60 s. */
export const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 15_000;

if ((otlp || prometheus) && env["OTEL_SDK_DISABLED"] !== "true") {
  // The NodeSDK reads these from the environment when it builds its readers and processors.
  if (!env["OTEL_METRIC_EXPORT_INTERVAL"]) {
    env["OTEL_METRIC_EXPORT_INTERVAL"] = String(DEFAULT_METRIC_EXPORT_INTERVAL_MS);
    env["OTEL_METRIC_EXPORT_TIMEOUT"] ||= String(Math.min(10_000, DEFAULT_METRIC_EXPORT_INTERVAL_MS));
  }
  if (prometheus && (env["SIGNER_WORKERS"] ?? "1").trim() !== "1" && !env["SIGNER_CLUSTER_WORKER"]) {
    // node:cluster would share the scrape port between the processes: each scrape would read one random worker.
    process.stderr.write(
      "otel: OTEL_METRICS_EXPORTER=prometheus with SIGNER_WORKERS other than 1: each scrape reads one process; prefer OTLP or one process per pod\n",
    );
  }
  if (!otlp) {
    // Prometheus only: nothing to send traces (or OTLP metrics) to.
    env["OTEL_TRACES_EXPORTER"] ||= "none";
    env["OTEL_LOGS_EXPORTER"] ||= "none";
  }
  const sdk = new NodeSDK({
    ...(env["OTEL_SERVICE_NAME"] ? {} : { serviceName: "para-signer" }),
    // Mesh sidecars (Envoy, Linkerd) forward B3; callers send W3C. Extract both
    // unless OTEL_PROPAGATORS says otherwise.
    ...(env["OTEL_PROPAGATORS"]
      ? {}
      : {
          textMapPropagator: new CompositePropagator({
            propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new B3Propagator()],
          }),
        }),
    instrumentations: [],
    // Not the SDK's AsyncLocalStorage: the service hands each call's context down itself (sync-context-manager.ts).
    contextManager: new SynchronousContextManager(),
  });
  sdk.start();
  onShutdown(() => sdk.shutdown());
}
