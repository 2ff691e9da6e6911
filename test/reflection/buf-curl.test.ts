import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HealthCheckResponse_ServingStatus as S } from "../../gen/grpc/health/v1/health_pb.js";
import { HealthRegistry } from "../../src/health/health-registry.js";
import { createRoutes, HEALTH_SERVICES } from "../../src/transport/routes.js";
import { startTestServer, type RunningServer } from "../support/test-server.js";
import { decodedFiles, reflect } from "./support.js";

// Interop: the real `buf` CLI (a Go client, connect-go's grpcreflect) learns
// the schema from the server alone: no --schema, no .proto files.
const root = fileURLToPath(new URL("../..", import.meta.url));
const buf = join(root, "node_modules/.bin/buf");
const run = promisify(execFile);

/** Runs buf (asynchronously: the server answering it lives in this process); exit code, stdout, stderr. */
async function bufCurl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const error = e as { code?: number; stdout?: string; stderr?: string };
    return { code: error.code ?? -1, stdout: error.stdout ?? "", stderr: error.stderr ?? "" };
  }
}

describe("buf curl with server reflection (no --schema)", () => {
  let running: RunningServer;
  const health = new HealthRegistry(HEALTH_SERVICES);

  beforeAll(async () => {
    running = await startTestServer(createRoutes({ signer: {}, health }));
    health.setAll(S.SERVING);
  });
  afterAll(() => running.server.stop());

  test.each(["grpc-v1", "grpc-v1alpha"])("--list-methods over %s lists every method", async (protocol) => {
    const result = await bufCurl("--reflect-protocol", protocol, "--list-methods", running.baseUrl);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const methods = result.stdout.trim().split("\n");
    for (const m of ["SignMessage", "CheckSession", "IssueJwt", "VerifySession", "VerifyWallet"]) {
      expect(methods).toContain(`para.signer.v1.SignerService/${m}`);
    }
    expect(methods).toContain("grpc.health.v1.Health/Check");
    expect(methods).toContain("grpc.health.v1.Health/Watch");
    expect(methods).toContain("grpc.reflection.v1.ServerReflection/ServerReflectionInfo");
  });

  test("a call is encoded and decoded from the reflected schema (health Check answers SERVING)", async () => {
    const result = await bufCurl("-d", '{"service":"para.signer.v1.SignerService"}', `${running.baseUrl}/grpc.health.v1.Health/Check`);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ status: "SERVING" });
  });

  test.each(["grpc-v1", "grpc-v1alpha"])("over %s, CheckSession resolves and reaches the server (UNIMPLEMENTED here)", async (protocol) => {
    const url = `${running.baseUrl}/para.signer.v1.SignerService/CheckSession`;
    const result = await bufCurl("--reflect-protocol", protocol, "-d", '{"session":"x","extend":true}', url);
    // buf exits with the gRPC code shifted left by 3 when the RPC itself fails; a schema error exits below 8.
    expect(result.code).toBe(12 << 3);
    expect(JSON.parse(result.stderr)).toMatchObject({ code: "unimplemented" });
  });

  test("an unknown method is a schema error: reflection answered and it is not there", async () => {
    const result = await bufCurl("-d", "{}", `${running.baseUrl}/para.signer.v1.SignerService/NoSuchMethod`);
    expect(result.code).toBeGreaterThan(0);
    expect(result.code).toBeLessThan(8);
    expect(result.stderr).toContain("NoSuchMethod");
  });

  test("each reflected file is byte-for-byte what `buf build` compiles from proto/ (minus comments)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "para-signer-reflection-"));
    try {
      await run(buf, ["build", "--exclude-source-info", "--as-file-descriptor-set", "-o", join(dir, "set.binpb")], { cwd: root });
      const built = fromBinary(FileDescriptorSetSchema, await readFile(join(dir, "set.binpb")));
      expect(built.file.length).toBeGreaterThanOrEqual(7);
      const answers = await reflect(
        running.grpc,
        "v1",
        built.file.map((f) => ({ case: "fileByFilename" as const, value: f.name })),
      );
      built.file.forEach((file, i) => {
        const served = decodedFiles(answers[i])[0];
        expect(served?.name).toBe(file.name);
        expect(Buffer.from(toBinary(FileDescriptorProtoSchema, served!)).equals(Buffer.from(toBinary(FileDescriptorProtoSchema, file))), file.name).toBe(true);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
