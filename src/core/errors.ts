/** Stable machine-readable codes carried by every {@link TaskHubError}. */
export type TaskHubErrorCode =
  | "TASKHUB_INVALID_ARGUMENT"
  | "TASKHUB_INVALID_PAYLOAD"
  | "TASKHUB_TASK_FAILED"
  | "TASKHUB_SUB_ORCHESTRATION_FAILED"
  | "TASKHUB_NON_DETERMINISM"
  | "TASKHUB_NON_DURABLE_AWAIT"
  | "TASKHUB_EVENT_TIMEOUT"
  | "TASKHUB_TIMER_CANCELED"
  | "TASKHUB_ORCHESTRATION_NOT_FOUND"
  | "TASKHUB_ACTIVITY_NOT_FOUND"
  | "TASKHUB_INSTANCE_NOT_FOUND"
  | "TASKHUB_INSTANCE_NOT_RUNNING"
  | "TASKHUB_INSTANCE_ALREADY_RUNNING"
  | "TASKHUB_PARTITION_COUNT_MISMATCH"
  | "TASKHUB_TIMEOUT"
  | "TASKHUB_TERMINATED"
  | "TASKHUB_WORKER_STATE";

/** Base class of every error Taskhub throws on purpose. Branch on `code`, which never changes between versions. */
export class TaskHubError extends Error {
  /** Stable machine-readable code. */
  readonly code: TaskHubErrorCode;

  constructor(code: TaskHubErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A caller passed an argument that is missing, of the wrong type or out of range. The message names the field. */
export class InvalidArgumentError extends TaskHubError {
  /** Path of the offending field, e.g. `options.partitionCount`. */
  readonly field: string;

  constructor(field: string, reason: string) {
    super("TASKHUB_INVALID_ARGUMENT", `${field}: ${reason}`);
    this.field = field;
  }
}

/** A value that must cross a durable boundary (input, output, event data, custom status) is not plain JSON. */
export class InvalidPayloadError extends TaskHubError {
  /** Path of the offending value, e.g. `input.items[2]`. */
  readonly field: string;

  constructor(field: string, reason: string) {
    super("TASKHUB_INVALID_PAYLOAD", `${field}: ${reason}`);
    this.field = field;
  }
}
