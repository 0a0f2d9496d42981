import type { ActivityDefinition, OrchestrationDefinition } from "./definitions.js";
import type { DurableTask, TimerTask } from "./durable-task.js";
import type { ParentInstance } from "./history.js";
import type { Logger } from "./logger.js";
import type { RetryOptions } from "./retry.js";

/** Options for `ctx.callActivity`. */
export interface CallActivityOptions {
  /**
   * Retry policy for failures of the activity.
   * @default undefined (no retries)
   */
  retry?: RetryOptions;
}

/** Options for `ctx.callSubOrchestration`. */
export interface CallSubOrchestrationOptions {
  /**
   * Instance id of the child.
   * @default `${parentInstanceId}:${taskId}` (deterministic)
   */
  instanceId?: string;
  /**
   * Version recorded for the child.
   * @default the definition's version
   */
  version?: string;
  /**
   * Retry policy; each retry starts a new child instance with a suffixed id.
   * @default undefined (no retries)
   */
  retry?: RetryOptions;
}

/** Options for `ctx.waitForExternalEvent`. */
export interface WaitForEventOptions {
  /**
   * Reject with `EventTimeoutError` if the event has not arrived within this time (a durable timer).
   * @default undefined (wait forever)
   */
  timeoutMs?: number;
}

/** Options for `ctx.continueAsNew`. */
export interface ContinueAsNewOptions {
  /**
   * Carry events that arrived but were not yet awaited into the new execution.
   * @default true
   */
  preserveUnprocessedEvents?: boolean;
}

/** Arguments after the target of a typed call: the input may be left out when the input type allows `undefined`. */
export type CallArgs<I, O> = undefined extends I ? [input?: I, options?: O] : [input: I, options?: O];

/**
 * Everything an orchestrator may use. Every method is deterministic under replay; awaiting anything that did not
 * come from here (I/O, `setTimeout`) fails the orchestration with `NonDurableAwaitError`.
 */
export interface OrchestrationContext {
  /** The instance id. */
  readonly instanceId: string;
  /** The current execution's id (changes on continue-as-new). */
  readonly executionId: string;
  /** The orchestration's name. */
  readonly name: string;
  /** The version recorded when the instance started. */
  readonly version: string | undefined;
  /** The parent, when this is a sub-orchestration. */
  readonly parent: ParentInstance | undefined;
  /** Replay-safe current time: the time the current episode started. */
  readonly currentUtcDateTime: Date;
  /** True while the code re-runs over history that was already recorded. */
  readonly isReplaying: boolean;
  /** A logger that writes only when not replaying. */
  readonly log: Logger;

  /** Schedules an activity and returns its result; a failure rejects with `TaskFailedError`. */
  callActivity<I, O>(activity: ActivityDefinition<I, O>, ...args: CallArgs<I, CallActivityOptions>): DurableTask<Awaited<O>>;
  /** Schedules an activity by name (untyped). */
  callActivity(name: string, input?: unknown, options?: CallActivityOptions): DurableTask<unknown>;

  /** Starts a child orchestration and returns its output; a failure rejects with `SubOrchestrationFailedError`. */
  callSubOrchestration<I, O>(orchestration: OrchestrationDefinition<I, O>, ...args: CallArgs<I, CallSubOrchestrationOptions>): DurableTask<Awaited<O>>;
  /** Starts a child orchestration by name (untyped). */
  callSubOrchestration(name: string, input?: unknown, options?: CallSubOrchestrationOptions): DurableTask<unknown>;

  /** A durable timer that fires at `fireAt` or after `delayMs` milliseconds. */
  createTimer(fireAtOrDelayMs: Date | number): TimerTask;

  /** Waits for an event raised to this instance; events that arrive early are buffered. */
  waitForExternalEvent<T = unknown>(name: string, options?: WaitForEventOptions): DurableTask<T>;

  /** Sends an event to another instance (fire and forget). */
  sendEvent(instanceId: string, name: string, data?: unknown): void;

  /** Ends this execution and starts a new one with `input` and an empty history. Return right after calling it. */
  continueAsNew(input: unknown, options?: ContinueAsNewOptions): void;

  /** Sets a JSON value shown in the instance status. */
  setCustomStatus(value: unknown): void;

  /** A deterministic, replay-safe UUID. */
  newGuid(): string;
}
