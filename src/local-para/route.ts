// The shape of one emulated endpoint. Handlers return the 200 body or throw HttpError; the router (api-server.ts)
// does key lookup, counting and fault injection uniformly before any handler runs.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Backend } from "./backend.js";
import type { ApiKeyInfo, EndpointName, FaultEndpoint } from "./types.js";

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  backend: Backend;
  url: URL;
  /** Regex captures of the path, URI-decoded. */
  params: string[];
  /** The key the request belongs to: by x-external-api-key (public), or by secret for the verify endpoints. */
  key: ApiKeyInfo | undefined;
  /** x-capsule-sid as sent. */
  sid: string | undefined;
  body: Record<string, unknown>;
}

export interface Route {
  method: "GET" | "POST";
  path: RegExp;
  name: EndpointName;
  fault?: FaultEndpoint;
  /** How the x-external-api-key header is read: the public key, the secret key, or not at all. */
  auth: "public" | "secret" | "none";
  handle(ctx: RouteContext): unknown;
}
