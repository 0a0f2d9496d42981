import type { FailureDetails } from "../core/failure.js";
import type { HistoryEvent } from "../core/history.js";
import { fromJsonText } from "../core/json.js";
import type { InstanceProjection, RuntimeStatus } from "../core/status.js";

/** The status of an orchestration instance, as clients see it. Payloads are parsed JSON values. */
export interface OrchestrationStatus<TOutput = unknown, TInput = unknown> {
  instanceId: string;
  /** The current execution (changes with continue-as-new and restarts). */
  executionId: string;
  name: string;
  version: string | undefined;
  runtimeStatus: RuntimeStatus;
  input: TInput | undefined;
  output: TOutput | undefined;
  customStatus: unknown;
  createdTime: Date;
  lastUpdatedTime: Date;
  completedTime?: Date;
  scheduledStartTime?: Date;
  tags?: Record<string, string>;
  parentInstanceId?: string;
  /** Why the instance failed, when `runtimeStatus` is `"Failed"`. */
  failureDetails?: FailureDetails;
  /** The current execution's history, when asked for with `includeHistory`. */
  history?: HistoryEvent[];
}

/** Converts a stored projection into the public status shape. */
export function toOrchestrationStatus(projection: InstanceProjection): OrchestrationStatus {
  const status: OrchestrationStatus = {
    instanceId: projection.instanceId,
    executionId: projection.executionId,
    name: projection.name,
    version: projection.version,
    runtimeStatus: projection.runtimeStatus,
    input: fromJsonText(projection.input),
    output: fromJsonText(projection.output),
    customStatus: fromJsonText(projection.customStatus),
    createdTime: new Date(projection.createdTime),
    lastUpdatedTime: new Date(projection.lastUpdatedTime),
  };
  if (projection.completedTime !== undefined) status.completedTime = new Date(projection.completedTime);
  if (projection.scheduledStartTime !== undefined) status.scheduledStartTime = new Date(projection.scheduledStartTime);
  if (projection.tags !== undefined) status.tags = projection.tags;
  if (projection.parentInstanceId !== undefined) status.parentInstanceId = projection.parentInstanceId;
  if (projection.failureDetails !== undefined) status.failureDetails = projection.failureDetails;
  return status;
}
