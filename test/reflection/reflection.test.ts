import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createRouterTransport, type Transport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type RunningServer } from "../support/test-server.js";
import { ALL_SERVICES, decodedFiles, reflect, routes } from "./support.js";

const SIGNER_METHODS = [
  "SignMessage",
  "CheckSession",
  "IssueJwt",
  "VerifySession",
  "VerifyWallet",
  "SignTransaction",
  "SignTypedData",
  "SignAuthorization",
  "SignSolanaTransaction",
  "SignMessages",
  "AwaitReview",
];

let running: RunningServer;
beforeAll(async () => {
  running = await startTestServer(routes());
});
afterAll(() => running.server.stop());

// The same questions in memory, and over a real HTTP/2 server in both protocols that can stream both ways.
const transports: [string, () => Transport][] = [
  ["in-memory", () => createRouterTransport(routes())],
  ["HTTP/2 gRPC", () => running.grpc],
  ["HTTP/2 Connect", () => running.connect],
];

describe.each(transports)("reflection over %s", (_name, transport) => {
  test.each(["v1", "v1alpha"] as const)("%s lists every registered service, sorted", async (version) => {
    const [answer] = await reflect(transport(), version, [{ case: "listServices", value: "" }]);
    expect(answer?.validHost).toBe("h");
    expect(answer?.messageResponse).toMatchObject({ case: "listServicesResponse" });
    const names = answer?.messageResponse.case === "listServicesResponse" ? answer.messageResponse.value.service.map((s) => s.name) : [];
    expect(names).toEqual(ALL_SERVICES);
  });

  test.each(["v1", "v1alpha"] as const)("%s: SignerService's file, with its imports, is enough to resolve every method", async (version) => {
    const [answer] = await reflect(transport(), version, [{ case: "fileContainingSymbol", value: "para.signer.v1.SignerService" }]);
    const files = decodedFiles(answer);
    expect(files.map((f) => f.name)).toEqual([
      "para/signer/v1/signer_service.proto",
      "google/protobuf/timestamp.proto",
      "google/rpc/status.proto",
      "google/protobuf/any.proto",
    ]);
    const signer = files[0]!;
    expect(signer.package).toBe("para.signer.v1");
    expect(signer.dependency).toEqual(["google/protobuf/timestamp.proto", "google/rpc/status.proto"]);
    expect(signer.service[0]?.method.map((m) => m.name)).toEqual(SIGNER_METHODS);
    // What a client does with the answer: build a registry (it throws on a missing import) and look up types.
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: files.slice().reverse() }));
    const service = registry.getService("para.signer.v1.SignerService");
    expect(service?.methods.map((m) => m.input.typeName)).toContain("para.signer.v1.CheckSessionRequest");
    expect(registry.getMessage("para.signer.v1.CheckSessionResponse")?.fields.length).toBeGreaterThan(0);
  });

  test.each([
    ["a method", "para.signer.v1.SignerService.CheckSession", "para/signer/v1/signer_service.proto"],
    ["a message", "para.signer.v1.JwtClaims", "para/signer/v1/signer_service.proto"],
    ["a field", "para.signer.v1.VerifySessionRequest.jwt", "para/signer/v1/signer_service.proto"],
    ["a oneof", "para.signer.v1.VerifySessionRequest.credential", "para/signer/v1/signer_service.proto"],
    ["an enum", "para.signer.v1.WalletType", "para/signer/v1/signer_service.proto"],
    ["an enum value", "para.signer.v1.WALLET_TYPE_SOLANA", "para/signer/v1/signer_service.proto"],
    ["a nested message", "google.rpc.BadRequest.FieldViolation", "google/rpc/error_details.proto"],
    ["a nested enum", "grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"],
    ["a nested enum's value", "grpc.health.v1.HealthCheckResponse.SERVING", "grpc/health/v1/health.proto"],
    ["an imported well-known type", "google.protobuf.Timestamp", "google/protobuf/timestamp.proto"],
    ["the reflection service", "grpc.reflection.v1alpha.ServerReflection", "grpc/reflection/v1alpha/reflection.proto"],
  ])("finds the file declaring %s", async (_kind, symbol, file) => {
    const [answer] = await reflect(transport(), "v1", [{ case: "fileContainingSymbol", value: symbol }]);
    expect(decodedFiles(answer)[0]?.name).toBe(file);
  });

  test("an unknown symbol or file is a NOT_FOUND error_response, and the stream goes on", async () => {
    const answers = await reflect(transport(), "v1alpha", [
      { case: "fileContainingSymbol", value: "para.signer.v1.NoSuchThing" },
      { case: "fileByFilename", value: "no/such.proto" },
      { case: "listServices", value: "" },
    ]);
    expect(answers.map((a) => a.messageResponse.case)).toEqual(["errorResponse", "errorResponse", "listServicesResponse"]);
    expect(answers[0]?.messageResponse.value).toMatchObject({ errorCode: Code.NotFound, errorMessage: expect.stringContaining("NoSuchThing") });
    expect(answers[1]?.messageResponse.value).toMatchObject({ errorCode: 5 });
  });

  test("extensions: none declared, so lookups answer NOT_FOUND or an empty list (as grpc-go)", async () => {
    const answers = await reflect(transport(), "v1", [
      { case: "fileContainingExtension", value: { containingType: "para.signer.v1.Wallet", extensionNumber: 100 } },
      { case: "allExtensionNumbersOfType", value: "para.signer.v1.Wallet" },
      { case: "allExtensionNumbersOfType", value: "para.signer.v1.NoSuchMessage" },
    ]);
    expect(answers[0]?.messageResponse).toMatchObject({ case: "errorResponse", value: { errorCode: Code.NotFound } });
    expect(answers[1]?.messageResponse).toMatchObject({
      case: "allExtensionNumbersResponse",
      value: { baseTypeName: "para.signer.v1.Wallet", extensionNumber: [] },
    });
    expect(answers[2]?.messageResponse).toMatchObject({ case: "errorResponse", value: { errorCode: Code.NotFound } });
  });

  test("on one stream an import is sent once, but a requested file always is", async () => {
    const answers = await reflect(transport(), "v1", [
      { case: "fileByFilename", value: "para/signer/v1/signer_service.proto" },
      { case: "fileByFilename", value: "google/protobuf/timestamp.proto" },
      { case: "fileByFilename", value: "para/signer/v1/signer_service.proto" },
    ]);
    expect(answers.map((a) => decodedFiles(a).map((f) => f.name))).toEqual([
      ["para/signer/v1/signer_service.proto", "google/protobuf/timestamp.proto", "google/rpc/status.proto", "google/protobuf/any.proto"],
      ["google/protobuf/timestamp.proto"],
      ["para/signer/v1/signer_service.proto"],
    ]);
  });

  test("a request with no question fails the stream with INVALID_ARGUMENT", async () => {
    const error = await reflect(transport(), "v1", [{ case: undefined }]).catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
  });
});
