import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { envToConfig } from "../../src/config/config.js";
import { HEALTH_SERVICES } from "../../src/transport/routes.js";

const dir = fileURLToPath(new URL("../../deploy/kubernetes/", import.meta.url));
const read = (name: string) => readFileSync(`${dir}${name}`, "utf8");

/** Keeps the manifests in step with the code they deploy (no YAML library: these are plain checks on the text). */
describe("deploy/kubernetes", () => {
  const deployment = read("deployment.yaml");

  test("the termination grace period covers the drain delay and in-flight grace it configures", () => {
    const grace = Number(/terminationGracePeriodSeconds: (\d+)/.exec(deployment)?.[1]);
    const env = Object.fromEntries([...deployment.matchAll(/name: (SIGNER_[A-Z_]+), value: "(\d+)"/g)].map((m) => [m[1]!, m[2]!]));
    const config = envToConfig(env);
    expect(config.shutdown.drainDelayMs).toBe(5_000);
    expect(grace * 1000).toBeGreaterThan(config.shutdown.drainDelayMs + config.shutdown.graceMs);
  });

  test("SDK threads are set explicitly: with no CPU limit, auto would follow the node's cores past the memory limit", () => {
    expect(deployment).not.toMatch(/limits: \{[^}]*cpu/);
    const threads = Number(/name: SIGNER_SDK_THREADS, value: "(\d+)"/.exec(deployment)?.[1]);
    expect(threads).toBeGreaterThanOrEqual(0);
    expect(threads).toBeLessThanOrEqual(2);
  });

  test("every gRPC probe asks the health service for a name it reports", () => {
    const names = [...deployment.matchAll(/grpc: \{ port: 50051, service: "?([^"} ]*)"? \}/g)].map((m) => m[1]);
    expect(names).toHaveLength(3);
    for (const name of names) expect(["", ...HEALTH_SERVICES]).toContain(name);
  });

  test("the Service declares gRPC so the mesh treats it as HTTP/2", () => {
    expect(read("service.yaml")).toMatch(/appProtocol: grpc/);
    expect(read("kustomization.yaml")).toMatch(/hpa\.yaml[\s\S]*pdb\.yaml/);
  });

  test("the pod runs as the image's non-root user with a read-only root filesystem", () => {
    expect(deployment).toMatch(/runAsNonRoot: true/);
    expect(deployment).toMatch(/readOnlyRootFilesystem: true/);
    expect(deployment).toMatch(/drop: \[ALL\]/);
  });
});
