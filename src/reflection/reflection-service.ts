import { create, createFileRegistry, type DescFile, type DescMessage, type FileRegistry, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import * as v1 from "../../gen/grpc/reflection/v1/reflection_pb.js";
import * as v1alpha from "../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { DescriptorIndex, fileRegistryOf } from "./descriptor-index.js";

type Request = v1.ServerReflectionRequest;
type Response = v1.ServerReflectionResponse;

/**
 * gRPC server reflection (grpc/grpc doc/server-reflection.md), so grpcurl,
 * buf curl and Postman can call the server without its .proto files.
 *
 * `source` is the schema to describe: the gen/ files of the services the
 * server registers (their imports are followed), or a ready FileRegistry.
 * list_services reports every service declared there, plus the two
 * reflection services themselves, which are always described.
 *
 * Returns the routes to add: grpc.reflection.v1.ServerReflection and the
 * deprecated v1alpha, which older clients still use. Both answer from one
 * implementation; the messages are identical on the wire.
 */
export function createReflectionServices(source: readonly DescFile[] | FileRegistry): (router: ConnectRouter) => void {
  const own = fileRegistryOf([v1.file_grpc_reflection_v1_reflection, v1alpha.file_grpc_reflection_v1alpha_reflection]);
  const index = new DescriptorIndex(createFileRegistry("kind" in source ? source : fileRegistryOf(source), own));
  return (router) => {
    router.service(v1.ServerReflection, {
      async *serverReflectionInfo(requests) {
        const sent = new Set<string>();
        for await (const request of requests) yield answer(index, request, sent);
      },
    });
    router.service(v1alpha.ServerReflection, {
      async *serverReflectionInfo(requests) {
        const sent = new Set<string>();
        for await (const request of requests) {
          const response = answer(index, convert(v1alpha.ServerReflectionRequestSchema, v1.ServerReflectionRequestSchema, request), sent);
          yield convert(v1.ServerReflectionResponseSchema, v1alpha.ServerReflectionResponseSchema, response);
        }
      },
    });
  };
}

/**
 * One response per request, as grpc-go answers. A lookup that finds nothing
 * is an ErrorResponse inside the stream (the stream stays open for the next
 * request); only a request with no question set fails the stream.
 * `sent` holds the files already sent on this stream.
 */
export function answer(index: DescriptorIndex, request: Request, sent: Set<string>): Response {
  const reply = (messageResponse: Response["messageResponse"]): Response =>
    create(v1.ServerReflectionResponseSchema, { validHost: request.host, originalRequest: request, messageResponse });
  const notFound = (message: string) =>
    reply({ case: "errorResponse", value: create(v1.ErrorResponseSchema, { errorCode: Code.NotFound, errorMessage: message }) });
  const files = (file: DescFile | undefined, missing: string) =>
    file
      ? reply({ case: "fileDescriptorResponse", value: create(v1.FileDescriptorResponseSchema, { fileDescriptorProto: index.withDependencies(file, sent) }) })
      : notFound(missing);

  const question = request.messageRequest;
  switch (question.case) {
    case "listServices": {
      const service = index.serviceNames().map((name) => create(v1.ServiceResponseSchema, { name }));
      return reply({ case: "listServicesResponse", value: create(v1.ListServiceResponseSchema, { service }) });
    }
    case "fileByFilename":
      return files(index.fileByName(question.value), `file not found: ${question.value}`);
    case "fileContainingSymbol":
      return files(index.fileContainingSymbol(question.value), `symbol not found: ${question.value}`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = question.value;
      const extension = index.extensionsOf(containingType)?.find((e) => e.number === extensionNumber);
      return files(extension?.file, `extension not found: ${containingType}(${extensionNumber})`);
    }
    case "allExtensionNumbersOfType": {
      const extensions = index.extensionsOf(question.value);
      if (!extensions) return notFound(`type not found: ${question.value}`);
      const value = create(v1.ExtensionNumberResponseSchema, { baseTypeName: question.value, extensionNumber: extensions.map((e) => e.number) });
      return reply({ case: "allExtensionNumbersResponse", value });
    }
    default:
      // grpc-go fails the stream the same way.
      throw new ConnectError("invalid MessageRequest: no question set", Code.InvalidArgument);
  }
}

/** v1alpha and v1 messages share field numbers and types: re-reading the bytes converts them. */
function convert<From extends DescMessage, To extends DescMessage>(from: From, to: To, message: MessageShape<From>): MessageShape<To> {
  return fromBinary(to, toBinary(from, message));
}
