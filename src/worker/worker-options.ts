import type { ActivityDefinition, OrchestrationDefinition } from "../core/definitions.js";
import { InvalidArgumentError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { TaskHubConnectionOptions } from "../azure-storage/task-hub-storage.js";

/** Options of a {@link TaskHubWorker}. Every duration is in milliseconds. */
export type TaskHubWorkerOptions = TaskHubConnectionOptions & {
  /** Orchestrations this worker runs. */
  orchestrations?: readonly OrchestrationDefinition<never, unknown>[];
  /** Activities this worker runs. */
  activities?: readonly ActivityDefinition<never, unknown>[];
  /**
   * Episodes run at once (across instances; one instance never runs two at once).
   * @default 100
   */
  maxConcurrentOrchestrations?: number;
  /**
   * Activities run at once.
   * @default 10 × CPU cores
   */
  maxConcurrentActivities?: number;
  /**
   * Control-queue messages held in memory before the worker stops receiving more.
   * @default 256
   */
  maxBufferedMessages?: number;
  /**
   * How long a received control message stays invisible to others; renewed while the worker holds it. After a
   * worker dies, its held messages reappear within this time.
   * @default 15000
   */
  controlVisibilityMs?: number;
  /**
   * How long a received work item stays invisible; renewed at half this interval while the activity runs. After a
   * worker dies, its running activities run again elsewhere within this time.
   * @default 30000
   */
  activityVisibilityMs?: number;
  /**
   * Longest wait between polls of an idle queue (a send from this process wakes its pollers at once).
   * @default 1000
   */
  maxPollingIntervalMs?: number;
  /**
   * A message received more than this many times goes to the poison queue with the reason.
   * @default 10
   */
  maxDequeueCount?: number;
  /**
   * Instances kept live in memory between episodes (bounded LRU).
   * @default 1000
   */
  instanceCacheSize?: number;
  /**
   * How often to look for Pending instances whose start message was never sent (a client died between its writes).
   * @default 30000
   */
  pendingStartRepairIntervalMs?: number;
  /**
   * How old a Pending start must be before it is repaired.
   * @default 30000
   */
  pendingStartGraceMs?: number;
  /**
   * Longest single queue delay for timers and delayed starts; longer ones hop (the queue allows 7 days).
   * @default 518400000 (6 days)
   */
  maxTimerHopMs?: number;
  /**
   * Time `stop()` gives in-flight work before abandoning it to other workers.
   * @default 30000
   */
  shutdownGraceMs?: number;
  /**
   * This worker's id in the partition lease table.
   * @default `${hostname}:${pid}:${random}`
   */
  workerId?: string;
  /**
   * A partition lease not renewed for this long may be claimed by another worker (failover time after a crash).
   * @default 15000
   */
  leaseDurationMs?: number;
  /**
   * How often the worker renews its leases, claims free ones and balances (hand-off time after a graceful stop).
   * @default 3000
   */
  leaseRenewIntervalMs?: number;
  /**
   * The worker refuses to commit for a partition whose lease expires within this margin (allows for clock skew).
   * @default 3000
   */
  commitSafetyMarginMs?: number;
  /**
   * Stop gracefully on SIGTERM and SIGINT (then let the signal end the process as usual).
   * @default true
   */
  handleSignals?: boolean;
  /**
   * Logger for worker events and orchestration `ctx.log`.
   * @default a silent logger
   */
  logger?: Logger;
};

/** Worker options with every default applied. */
export interface CompiledWorkerOptions {
  maxConcurrentOrchestrations: number;
  maxConcurrentActivities: number;
  maxBufferedMessages: number;
  controlVisibilityMs: number;
  activityVisibilityMs: number;
  maxPollingIntervalMs: number;
  maxDequeueCount: number;
  instanceCacheSize: number;
  pendingStartRepairIntervalMs: number;
  pendingStartGraceMs: number;
  shutdownGraceMs: number;
  leaseDurationMs: number;
  leaseRenewIntervalMs: number;
  commitSafetyMarginMs: number;
}

function positiveInteger(field: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError(field, `must be an integer ≥ ${min} (got ${JSON.stringify(value) ?? typeof value})`);
  }
  return value;
}

/** Validates worker options and applies defaults. */
export function compileWorkerOptions(options: TaskHubWorkerOptions, cores: number): CompiledWorkerOptions {
  const leaseDurationMs = positiveInteger("leaseDurationMs", options.leaseDurationMs, 15_000, 1_000);
  const renewIntervalMs = positiveInteger("leaseRenewIntervalMs", options.leaseRenewIntervalMs, 3_000, 100);
  if (renewIntervalMs * 2 > leaseDurationMs) {
    throw new InvalidArgumentError("leaseRenewIntervalMs", `must be at most half of leaseDurationMs (${leaseDurationMs}), so a lease is renewed before it expires`);
  }
  return {
    maxConcurrentOrchestrations: positiveInteger("maxConcurrentOrchestrations", options.maxConcurrentOrchestrations, 100),
    maxConcurrentActivities: positiveInteger("maxConcurrentActivities", options.maxConcurrentActivities, 10 * cores),
    maxBufferedMessages: positiveInteger("maxBufferedMessages", options.maxBufferedMessages, 256),
    controlVisibilityMs: positiveInteger("controlVisibilityMs", options.controlVisibilityMs, 15_000, 3_000),
    activityVisibilityMs: positiveInteger("activityVisibilityMs", options.activityVisibilityMs, 30_000, 2_000),
    maxPollingIntervalMs: positiveInteger("maxPollingIntervalMs", options.maxPollingIntervalMs, 1_000, 10),
    maxDequeueCount: positiveInteger("maxDequeueCount", options.maxDequeueCount, 10),
    instanceCacheSize: positiveInteger("instanceCacheSize", options.instanceCacheSize, 1_000, 0),
    pendingStartRepairIntervalMs: positiveInteger("pendingStartRepairIntervalMs", options.pendingStartRepairIntervalMs, 30_000, 100),
    pendingStartGraceMs: positiveInteger("pendingStartGraceMs", options.pendingStartGraceMs, 30_000, 0),
    shutdownGraceMs: positiveInteger("shutdownGraceMs", options.shutdownGraceMs, 30_000, 0),
    leaseDurationMs: positiveInteger("leaseDurationMs", options.leaseDurationMs, 15_000, 1_000),
    leaseRenewIntervalMs: positiveInteger("leaseRenewIntervalMs", options.leaseRenewIntervalMs, 3_000, 100),
    commitSafetyMarginMs: positiveInteger("commitSafetyMarginMs", options.commitSafetyMarginMs, 3_000, 0),
  };
}
