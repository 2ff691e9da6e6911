/**
 * A gRPC health probe for Docker's HEALTHCHECK (Kubernetes uses its native
 * `grpc:` probe instead): exits 0 when grpc.health.v1.Health/Check on this
 * container's port answers SERVING, 1 otherwise.
 *
 *   node dist/src/health/health-probe.js            (PORT, default 50051; TLS not supported: probe the h2c port)
 */
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "../../gen/grpc/health/v1/health_pb.js";

const port = Number(process.env["PORT"] ?? "50051");
const client = createClient(Health, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));
client.check({ service: "" }, { timeoutMs: 2_000 }).then(
  (res) => process.exit(res.status === HealthCheckResponse_ServingStatus.SERVING ? 0 : 1),
  () => process.exit(1),
);
