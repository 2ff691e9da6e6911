/**
 * OpenTelemetry SDK bootstrap, preloaded before the app:
 *   node --import ./dist/src/otel.js dist/src/main.js
 *
 * It does nothing (the app runs on the API's no-op implementation, at no
 * cost) unless an OTLP endpoint is configured with the standard variables
 * OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. Then the
 * NodeSDK exports traces and metrics over OTLP/HTTP, honouring
 * OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf by default, or http/json),
 * OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and the
 * other OTEL_* variables. No auto-instrumentation is loaded: the service
 * creates its own spans (Connect interceptor, Para boundary).
 */
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { B3Propagator } from "@opentelemetry/propagator-b3";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { onShutdown } from "./telemetry/shutdown-hooks.js";

const env = process.env;
const configured = Boolean(
  env["OTEL_EXPORTER_OTLP_ENDPOINT"] || env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] || env["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"],
);

if (configured && env["OTEL_SDK_DISABLED"] !== "true") {
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
  });
  sdk.start();
  onShutdown(() => sdk.shutdown());
}
