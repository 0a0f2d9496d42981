import { TaskHubError } from "../core/errors.js";
import type { RuntimeStatus } from "../core/status.js";

/** No instance with this id exists in the task hub. */
export class InstanceNotFoundError extends TaskHubError {
  readonly instanceId: string;

  constructor(instanceId: string) {
    super("TASKHUB_INSTANCE_NOT_FOUND", `No orchestration instance "${instanceId}" exists in this task hub.`);
    this.instanceId = instanceId;
  }
}

/** The operation needs a running instance, but the instance has finished (or the reverse, for purge). */
export class InstanceStateError extends TaskHubError {
  readonly instanceId: string;
  readonly runtimeStatus: RuntimeStatus;

  constructor(instanceId: string, runtimeStatus: RuntimeStatus, operation: string) {
    super(
      runtimeStatus === "Completed" || runtimeStatus === "Failed" || runtimeStatus === "Terminated" ? "TASKHUB_INSTANCE_NOT_RUNNING" : "TASKHUB_INSTANCE_ALREADY_RUNNING",
      `Cannot ${operation} instance "${instanceId}": it is ${runtimeStatus}.`,
    );
    this.instanceId = instanceId;
    this.runtimeStatus = runtimeStatus;
  }
}

/** `waitForCompletion` gave up before the instance finished. */
export class WaitTimeoutError extends TaskHubError {
  readonly instanceId: string;

  constructor(instanceId: string, timeoutMs: number, lastStatus: RuntimeStatus | undefined) {
    super("TASKHUB_TIMEOUT", `Instance "${instanceId}" did not finish within ${timeoutMs} ms (last status: ${lastStatus ?? "not found"}).`);
    this.instanceId = instanceId;
  }
}
