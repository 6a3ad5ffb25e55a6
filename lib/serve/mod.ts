/**
 * The inference server: the handler behind `deno task serve` (`serve.ts`
 * under `deno serve`), its limits and checks, and the launcher that starts
 * it with minimal permissions.
 *
 * @module
 */
export { BearerToken } from "./bearer_token.ts";
export { MAX_RELEASE_WAIT_MS, MIN_BODY_BYTES_PER_S, timedBody, type TimedBodyOptions } from "./body_deadline.ts";
export { closingResponse, CONNECTION_DROPPED_LINE } from "./closing_response.ts";
export { BodyTimeoutError, HttpError, QueueFullError } from "./errors.ts";
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
  DEFAULT_BODY_TIMEOUT_S,
  DEFAULT_HOSTNAME,
  DEFAULT_MAX_BODY_MB,
  DEFAULT_PORT,
  DEFAULT_QUEUE,
  DEFAULT_WORK_TIMEOUT_S,
  parseServeFlags,
  type ServeFlags,
  UPLOADS_PER_SLOT,
} from "./serve_flags.ts";
export {
  createServeHandler,
  type ServeHandler,
  type ServeHandlerOptions,
  type ServeRequestInfo,
} from "./serve_handler.ts";
export { FACT_HEADERS, type OperationContext, type OperationResult } from "./serve_operations.ts";
export {
  checkWork,
  DEFAULT_BITS_PER_SAMPLE,
  DEFAULT_MAX_READS,
  defaultMaxSamples,
  type WorkBudget,
} from "./work_budget.ts";
