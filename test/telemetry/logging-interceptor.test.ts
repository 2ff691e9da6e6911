import { Code, ConnectError, createRouterTransport, createClient } from "@connectrpc/connect";
import { expect, test } from "vitest";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { createLogger } from "../../src/telemetry/logger.js";
import { createLoggingInterceptor } from "../../src/telemetry/logging-interceptor.js";

/**
 * The attacker here is a caller whose tiny message or short ids ride inside an SDK error: the SDK's worker errors
 * carry the job's parameters ("and opts {...}"), and values shorter than the text masking's threshold would slip
 * through. In-memory transport, no ports.
 */
test("an SDK worker error as the cause: its job parameters never reach the log line, the caller gets no detail", async () => {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
  const sdkError = new Error('worker error with workId 1b2c and opts {"params":{"walletId":"w-9","userId":"u-7","message":"aGk="}}: boom');
  const transport = createRouterTransport(
    (router) =>
      router.service(Health, {
        check() {
          throw new ConnectError("para sign failed: signing worker unavailable", Code.Unavailable, undefined, undefined, sdkError);
        },
        async *watch() {},
      }),
    { router: { interceptors: [createLoggingInterceptor(logger)] } },
  );
  const error = await createClient(Health, transport)
    .check({ service: "" })
    .catch((e: unknown) => ConnectError.from(e));
  expect((error as ConnectError).code).toBe(Code.Unavailable);
  const logged = lines.join("\n");
  expect(logged).toContain("worker error with workId");
  for (const secret of ["aGk=", "w-9", "u-7", "walletId"]) expect(logged).not.toContain(secret);
  expect((error as ConnectError).rawMessage).not.toContain("aGk=");
});
