/**
 * Taskhub: durable orchestrations for TypeScript on Azure Storage.
 * @packageDocumentation
 */
export { defineActivity, defineOrchestration } from "./core/definitions.js";
export type {
  ActivityContext,
  ActivityDefinition,
  ActivityFunction,
  DefineOrchestrationOptions,
  InputOf,
  OrchestrationDefinition,
  OrchestratorFunction,
  OutputOf,
} from "./core/definitions.js";
export type {
  CallActivityOptions,
  CallSubOrchestrationOptions,
  ContinueAsNewOptions,
  OrchestrationContext,
  WaitForEventOptions,
} from "./core/context.js";
export { DurableTask, TimerTask, TimerCanceledError } from "./core/durable-task.js";
export { TaskHubError, InvalidArgumentError, InvalidPayloadError, type TaskHubErrorCode } from "./core/errors.js";
export type { FailureDetails } from "./core/failure.js";
export type { HistoryEvent } from "./core/history.js";
export type { JsonValue } from "./core/json.js";
export { silentLogger, type Logger, type LogProperties } from "./core/logger.js";
export type { RetryOptions } from "./core/retry.js";
export type { RuntimeStatus } from "./core/status.js";
export {
  ActivityNotFoundError,
  EventTimeoutError,
  NonDeterminismError,
  NonDurableAwaitError,
  OrchestrationNotFoundError,
  SubOrchestrationFailedError,
  TaskFailedError,
} from "./core/task-errors.js";
export type { StorageConnectionOptions } from "./azure-storage/connection.js";
export { PartitionCountMismatchError, type TaskHubConnectionOptions } from "./azure-storage/task-hub-storage.js";
export { startEmulator, type Emulator, type EmulatorOptions } from "./azure-storage/emulator.js";
export { TaskHubWorker, type WorkerState, type WorkerStats } from "./worker/task-hub-worker.js";
export type { TaskHubWorkerOptions } from "./worker/worker-options.js";
export {
  TaskHubClient,
  type InstanceFilter,
  type OrchestrationStatusPage,
  type StartOrchestrationOptions,
  type TaskHubClientOptions,
  type WaitForCompletionOptions,
} from "./client/task-hub-client.js";
export type { OrchestrationStatus } from "./client/orchestration-status.js";
export type { PagedAsyncIterableIterator, PageSettings } from "./client/paging.js";
export { InstanceNotFoundError, InstanceStateError, WaitTimeoutError } from "./client/client-errors.js";
export { ScaleMonitor, type ScaleMonitorOptions } from "./client/scale-monitor.js";
export type { QueueMetrics, ScaleMetrics } from "./azure-storage/queue-metrics.js";
export { recommendScale, type ScaleRecommendation, type ScaleThresholds } from "./worker/scale-recommendation.js";
