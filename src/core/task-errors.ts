import { TaskHubError } from "./errors.js";
import type { FailureDetails } from "./failure.js";

/** An activity failed (after its retries). Catch it in the orchestrator; `failureDetails` describes the cause. */
export class TaskFailedError extends TaskHubError {
  readonly failureDetails: FailureDetails;
  readonly taskName: string;
  readonly taskId: number;

  constructor(taskName: string, taskId: number, failure: FailureDetails) {
    super("TASKHUB_TASK_FAILED", `Activity "${taskName}" (task ${taskId}) failed: ${failure.errorType}: ${failure.message}`);
    this.failureDetails = failure;
    this.taskName = taskName;
    this.taskId = taskId;
  }
}

/** A sub-orchestration failed or was terminated. */
export class SubOrchestrationFailedError extends TaskHubError {
  readonly failureDetails: FailureDetails;
  readonly orchestrationName: string;
  readonly instanceId: string;

  constructor(orchestrationName: string, instanceId: string, failure: FailureDetails) {
    super("TASKHUB_SUB_ORCHESTRATION_FAILED", `Sub-orchestration "${orchestrationName}" ("${instanceId}") failed: ${failure.errorType}: ${failure.message}`);
    this.failureDetails = failure;
    this.orchestrationName = orchestrationName;
    this.instanceId = instanceId;
  }
}

/** `waitForExternalEvent` timed out. */
export class EventTimeoutError extends TaskHubError {
  readonly eventName: string;

  constructor(eventName: string, timeoutMs: number) {
    super("TASKHUB_EVENT_TIMEOUT", `Event "${eventName}" did not arrive within ${timeoutMs} ms.`);
    this.eventName = eventName;
  }
}

/** The orchestrator's code no longer matches its recorded history. The message shows expected vs actual. */
export class NonDeterminismError extends TaskHubError {
  readonly orchestrationName: string;
  readonly historyPosition: number;
  readonly expected: string;
  readonly actual: string;

  constructor(orchestrationName: string, historyPosition: number, expected: string, actual: string) {
    super(
      "TASKHUB_NON_DETERMINISM",
      `Non-deterministic orchestrator "${orchestrationName}" at history position ${historyPosition}: ` +
        `history expected ${expected}, but the code did ${actual}. ` +
        `Orchestrator code must make the same calls in the same order on every replay.`,
    );
    this.orchestrationName = orchestrationName;
    this.historyPosition = historyPosition;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The orchestrator awaited something that is not a durable task (I/O, `setTimeout`, a plain promise). */
export class NonDurableAwaitError extends TaskHubError {
  constructor(orchestrationName: string, detail: string) {
    super(
      "TASKHUB_NON_DURABLE_AWAIT",
      `Orchestrator "${orchestrationName}" ${detail}. Orchestrators may await only what ctx returns; ` +
        `move I/O and timers into activities or use ctx.createTimer.`,
    );
  }
}

/** No orchestration with this name (and version) is registered on the worker. */
export class OrchestrationNotFoundError extends TaskHubError {
  constructor(name: string, registered: readonly string[]) {
    super("TASKHUB_ORCHESTRATION_NOT_FOUND", `No orchestration named "${name}" is registered on this worker (registered: ${registered.join(", ") || "none"}).`);
  }
}

/** No activity with this name is registered on the worker. */
export class ActivityNotFoundError extends TaskHubError {
  constructor(name: string, registered: readonly string[]) {
    super("TASKHUB_ACTIVITY_NOT_FOUND", `No activity named "${name}" is registered on this worker (registered: ${registered.join(", ") || "none"}).`);
  }
}
