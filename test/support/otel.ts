import { context, metrics, propagation, trace } from "@opentelemetry/api";
import { SynchronousContextManager } from "../../src/telemetry/sync-context-manager.js";
import { CompositePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { B3Propagator } from "@opentelemetry/propagator-b3";
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

class TestMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface TestTelemetry {
  spans(): ReadableSpan[];
  reset(): void;
  collectMetrics(): Promise<ResourceMetrics>;
}

/** Registers in-memory trace and metric pipelines as the process's global OpenTelemetry, as the preloaded bootstrap would. */
export function installTestTelemetry(): TestTelemetry {
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  context.setGlobalContextManager(new SynchronousContextManager());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new B3Propagator()] }));
  const reader = new TestMetricReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    collectMetrics: async () => (await reader.collect()).resourceMetrics,
  };
}
