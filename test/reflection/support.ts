import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient, type Transport } from "@connectrpc/connect";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { HealthRegistry } from "../../src/health/health-registry.js";
import { createRoutes, HEALTH_SERVICES } from "../../src/transport/routes.js";

/** The routes production registers, with no signer behind them (reflection does not need one). */
export const routes = () => createRoutes({ signer: {}, health: new HealthRegistry(HEALTH_SERVICES) });

export const ALL_SERVICES = [
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
  "para.signer.v1.SignerService",
];

export type Question =
  | { case: "fileByFilename" | "fileContainingSymbol" | "allExtensionNumbersOfType" | "listServices"; value: string }
  | { case: "fileContainingExtension"; value: { containingType: string; extensionNumber: number } }
  | { case: undefined };

function v1Request(question: Question): v1.ServerReflectionRequest {
  const request = create(v1.ServerReflectionRequestSchema, { host: "h" });
  if (question.case === "fileContainingExtension") {
    request.messageRequest = { case: question.case, value: create(v1.ExtensionRequestSchema, question.value) };
  } else if (question.case !== undefined) {
    request.messageRequest = { case: question.case, value: question.value };
  }
  return request;
}

/** Either version's response, read as v1 (the fields are the same). */
export type Answer = {
  validHost: string;
  messageResponse:
    | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
    | { case: "listServicesResponse"; value: { service: { name: string }[] } }
    | { case: "allExtensionNumbersResponse"; value: { baseTypeName: string; extensionNumber: number[] } }
    | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } }
    | { case: undefined; value?: undefined };
};

/** Sends `questions` on ONE ServerReflectionInfo stream of `version` and collects the answers. */
export async function reflect(transport: Transport, version: "v1" | "v1alpha", questions: Question[]): Promise<Answer[]> {
  const answers: Answer[] = [];
  if (version === "v1") {
    const client = createClient(v1.ServerReflection, transport);
    const requests = questions.map(v1Request);
    for await (const answer of client.serverReflectionInfo(iterate(requests))) answers.push(answer);
  } else {
    const client = createClient(v1alpha.ServerReflection, transport);
    // The v1alpha request is the v1 one, re-read (the wire format is the same).
    const requests = questions.map((q) => fromBinary(v1alpha.ServerReflectionRequestSchema, toBinary(v1.ServerReflectionRequestSchema, v1Request(q))));
    for await (const answer of client.serverReflectionInfo(iterate(requests))) answers.push(answer);
  }
  return answers;
}

async function* iterate<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}

/** The FileDescriptorProtos in a file_descriptor_response, decoded; throws on any other answer. */
export function decodedFiles(answer: Answer | undefined): FileDescriptorProto[] {
  if (answer?.messageResponse.case !== "fileDescriptorResponse") throw new Error(`expected files, got ${answer?.messageResponse.case}`);
  return answer.messageResponse.value.fileDescriptorProto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
}
