import { Environment } from "@getpara/server-sdk";
import type { ParaEnvironment } from "../../config/config.js";

const ENVIRONMENTS: Record<ParaEnvironment, Environment> = {
  DEV: Environment.DEV,
  SANDBOX: Environment.SANDBOX,
  BETA: Environment.BETA,
  PROD: Environment.PROD,
};

/** The SDK's environment for the configured one (docs/para-sdk.md §0). */
export function sdkEnvironment(environment: ParaEnvironment): Environment {
  return ENVIRONMENTS[environment];
}
