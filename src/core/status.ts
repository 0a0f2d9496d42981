import type { FailureDetails } from "./failure.js";

/** Lifecycle state of an instance. */
export type RuntimeStatus = "Pending" | "Running" | "Completed" | "Failed" | "Terminated" | "Suspended" | "ContinuedAsNew";

/** All runtime statuses, in lifecycle order. */
export const RUNTIME_STATUSES: readonly RuntimeStatus[] = ["Pending", "Running", "Suspended", "ContinuedAsNew", "Completed", "Failed", "Terminated"];

/** True for statuses an instance never leaves by itself. */
export function isTerminalStatus(status: RuntimeStatus): boolean {
  return status === "Completed" || status === "Failed" || status === "Terminated";
}

/**
 * The queryable status of an instance as the engine stores it (payloads as JSON text). Written to the history
 * sentinel and the Instances table by the same commit path, so the two never disagree for long.
 */
export interface InstanceProjection {
  instanceId: string;
  executionId: string;
  name: string;
  version?: string;
  runtimeStatus: RuntimeStatus;
  input?: string;
  output?: string;
  customStatus?: string;
  failureDetails?: FailureDetails;
  createdTime: string;
  lastUpdatedTime: string;
  completedTime?: string;
  scheduledStartTime?: string;
  tags?: Record<string, string>;
  generation: number;
  parentInstanceId?: string;
}
