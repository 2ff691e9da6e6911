/**
 * Binds a running system to the client that speaks its protocol: gRPC over
 * HTTP/2 (several connections) for para-signer and the floor, JSON over
 * HTTP/1.1 keep-alive for the Express pattern. The load generator only sees `Send`.
 */
import { createGrpcClient } from "./grpc-client.js";
import { createHttpJsonClient } from "./http1-client.js";
import type { Send } from "./load.js";
import type { RunningSystem } from "./systems.js";
import type { PreparedRequest } from "./workload.js";

export interface Target {
  /** A Send that cycles through `requests` (one per session). */
  sender(requests: readonly PreparedRequest[]): Send;
  close(): void;
}

export function createTarget(system: RunningSystem, connections: number): Target {
  if (system.spec.protocol === "grpc") {
    const client = createGrpcClient(`http://127.0.0.1:${system.port}`, connections);
    return {
      sender: (requests) => (i) => {
        const r = requests[i % requests.length]!;
        return client.call(r.grpcPath, r.grpcFrame);
      },
      close: () => client.close(),
    };
  }
  const client = createHttpJsonClient(system.port);
  return {
    sender: (requests) => (i) => {
      const r = requests[i % requests.length]!;
      return client.call(r.httpPath, r.httpBody);
    },
    close: () => client.close(),
  };
}
