/**
 * The inference server: the handler behind `deno task serve` (`serve.ts`
 * under `deno serve`), its limits and checks, and the launcher that starts
 * it with minimal permissions.
 *
 * @module
 */
export { BearerToken } from "./bearer_token.ts";
export { HttpError, QueueFullError } from "./errors.ts";
export { fileResponse, type FileResponseOptions } from "./file_response.ts";
export { type ReleaseSlot, RequestLimiter, type RequestLimiterOptions } from "./request_limiter.ts";
export { RequestWorkspace, WORKSPACE_PREFIX } from "./request_workspace.ts";
export {
  runServer,
  type RunServerOptions,
  serveCommandArgs,
  type ServeCommandPaths,
  SERVER_TEMP_PREFIX,
} from "./run_server.ts";
export { type ServeApp, startServeApp, type StartServeAppOptions, TOKEN_ENV, tokenFromEnv } from "./serve_app.ts";
export {
  BYTES_PER_MIB,
  DEFAULT_HOSTNAME,
  DEFAULT_MAX_BODY_MB,
  DEFAULT_PORT,
  DEFAULT_QUEUE,
  parseServeFlags,
  type ServeFlags,
} from "./serve_flags.ts";
export {
  createServeHandler,
  type ServeHandler,
  type ServeHandlerOptions,
  type ServeRequestInfo,
} from "./serve_handler.ts";
export { FACT_HEADERS, type OperationContext, type OperationResult } from "./serve_operations.ts";
