import type { ActivityDefinition, OrchestrationDefinition } from "./definitions.js";
import type {
  CallActivityOptions,
  CallSubOrchestrationOptions,
  ContinueAsNewOptions,
  OrchestrationContext,
  WaitForEventOptions,
} from "./context.js";
import type { DurableTask} from "./durable-task.js";
import { createDurableTask, type TimerTask } from "./durable-task.js";
import { InvalidArgumentError } from "./errors.js";
import { toFailureDetails } from "./failure.js";
import type { ExecutionStartedEvent, ParentInstance } from "./history.js";
import { toJsonText } from "./json.js";
import type { Logger, LogProperties } from "./logger.js";
import { nextRetryDelay, validateRetryOptions, type RetryOptions } from "./retry.js";
import type { OrchestrationSession } from "./session.js";
import { EventTimeoutError, SubOrchestrationFailedError, TaskFailedError } from "./task-errors.js";

type Target = { name: string } | string;

function targetName(field: string, target: Target): string {
  if (typeof target === "string") {
    if (target.length === 0) throw new InvalidArgumentError(field, "must be a non-empty name or a definition");
    return target;
  }
  if (typeof target !== "object" || target === null || typeof target.name !== "string") {
    throw new InvalidArgumentError(field, "must be a name or a definition from defineActivity/defineOrchestration");
  }
  return target.name;
}

/** The orchestration context handed to orchestrator code; every call goes through the session. */
export class OrchestrationContextImpl implements OrchestrationContext {
  readonly #session: OrchestrationSession;
  readonly #started: ExecutionStartedEvent;
  readonly log: Logger;

  constructor(session: OrchestrationSession, started: ExecutionStartedEvent) {
    this.#session = session;
    this.#started = started;
    const write = (level: keyof Logger) => (message: string, properties?: LogProperties): void => {
      if (session.replaying) return;
      session.logger[level](message, { instanceId: session.instanceId, orchestration: started.name, ...properties });
    };
    this.log = { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
  }

  get instanceId(): string {
    return this.#session.instanceId;
  }

  get executionId(): string {
    return this.#started.executionId;
  }

  get name(): string {
    return this.#started.name;
  }

  get version(): string | undefined {
    return this.#started.version;
  }

  get parent(): ParentInstance | undefined {
    return this.#started.parent;
  }

  get currentUtcDateTime(): Date {
    return new Date(this.#session.now.getTime());
  }

  get isReplaying(): boolean {
    return this.#session.replaying;
  }

  callActivity(target: ActivityDefinition<never, unknown> | string, input?: unknown, options?: CallActivityOptions): DurableTask<never> {
    this.#session.assertExecuting();
    const name = targetName("activity", target);
    const inputText = toJsonText(input, "input");
    const schedule = (): DurableTask<unknown> => {
      const taskId = this.#session.allocateTaskId();
      const action = { kind: "ScheduleTask" as const, taskId, name, ...(inputText === undefined ? {} : { input: inputText }) };
      return this.#session.schedule(action, "activity", name);
    };
    return this.#withRetry(schedule, options?.retry) as DurableTask<never>;
  }

  callSubOrchestration(
    target: OrchestrationDefinition<never, unknown> | string,
    input?: unknown,
    options?: CallSubOrchestrationOptions,
  ): DurableTask<never> {
    this.#session.assertExecuting();
    const name = targetName("orchestration", target);
    const inputText = toJsonText(input, "input");
    const version = options?.version ?? (typeof target === "string" ? undefined : target.version);
    if (options?.instanceId !== undefined && (typeof options.instanceId !== "string" || options.instanceId.length === 0)) {
      throw new InvalidArgumentError("options.instanceId", "must be a non-empty string");
    }
    const schedule = (): DurableTask<unknown> => {
      const taskId = this.#session.allocateTaskId();
      const instanceId = options?.instanceId ?? `${this.instanceId}:${taskId}`;
      const action = {
        kind: "CreateSubOrchestration" as const,
        taskId,
        name,
        instanceId,
        ...(version === undefined ? {} : { version }),
        ...(inputText === undefined ? {} : { input: inputText }),
      };
      return this.#session.schedule(action, "subOrchestration", name, instanceId);
    };
    return this.#withRetry(schedule, options?.retry) as DurableTask<never>;
  }

  createTimer(fireAtOrDelayMs: Date | number): TimerTask {
    this.#session.assertExecuting();
    let fireAt: Date;
    if (fireAtOrDelayMs instanceof Date) {
      if (Number.isNaN(fireAtOrDelayMs.getTime())) throw new InvalidArgumentError("fireAt", "is an invalid Date");
      fireAt = fireAtOrDelayMs;
    } else if (typeof fireAtOrDelayMs === "number" && Number.isFinite(fireAtOrDelayMs) && fireAtOrDelayMs >= 0) {
      fireAt = new Date(this.#session.now.getTime() + fireAtOrDelayMs);
    } else {
      throw new InvalidArgumentError("delayMs", `must be a Date or a finite number ≥ 0 (got ${String(fireAtOrDelayMs)})`);
    }
    return this.#session.createTimerTask(fireAt);
  }

  waitForExternalEvent<T = unknown>(name: string, options?: WaitForEventOptions): DurableTask<T> {
    this.#session.assertExecuting();
    if (typeof name !== "string" || name.length === 0) throw new InvalidArgumentError("name", "must be a non-empty string");
    const timeoutMs = options?.timeoutMs;
    if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw new InvalidArgumentError("options.timeoutMs", `must be a finite number ≥ 0 (got ${String(timeoutMs)})`);
    }
    const { task, resolve, reject } = createDurableTask<T>();
    let timer: TimerTask | undefined;
    const withdraw = this.#session.waitForEvent(name, (value) => {
      timer?.cancel();
      resolve(value as T);
    });
    if (timeoutMs !== undefined && !task.isDone) {
      timer = this.createTimer(timeoutMs);
      timer.then(
        () => {
          withdraw();
          reject(new EventTimeoutError(name, timeoutMs));
        },
        () => undefined,
      );
    }
    return task;
  }

  sendEvent(instanceId: string, name: string, data?: unknown): void {
    this.#session.assertExecuting();
    if (typeof instanceId !== "string" || instanceId.length === 0) throw new InvalidArgumentError("instanceId", "must be a non-empty string");
    if (typeof name !== "string" || name.length === 0) throw new InvalidArgumentError("name", "must be a non-empty string");
    const input = toJsonText(data, "data");
    const taskId = this.#session.allocateTaskId();
    this.#session.schedule({ kind: "SendEvent", taskId, instanceId, name, ...(input === undefined ? {} : { input }) }, undefined, name);
  }

  continueAsNew(input: unknown, options?: ContinueAsNewOptions): void {
    this.#session.assertExecuting();
    this.#session.requestContinueAsNew(toJsonText(input, "input"), options?.preserveUnprocessedEvents ?? true);
  }

  setCustomStatus(value: unknown): void {
    this.#session.assertExecuting();
    this.#session.customStatus = toJsonText(value, "customStatus");
  }

  newGuid(): string {
    this.#session.assertExecuting();
    return this.#session.newGuid(this.executionId);
  }

  #withRetry(schedule: () => DurableTask<unknown>, retry: RetryOptions | undefined): DurableTask<unknown> {
    if (retry === undefined) return schedule();
    validateRetryOptions(retry);
    const { task, resolve, reject } = createDurableTask<unknown>();
    const firstAttemptAt = this.#session.now.getTime();
    const loop = async (): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        try {
          resolve(await schedule());
          return;
        } catch (error) {
          const failure =
            error instanceof TaskFailedError || error instanceof SubOrchestrationFailedError ? error.failureDetails : toFailureDetails(error);
          const delay = nextRetryDelay(retry, attempt, this.#session.now.getTime() - firstAttemptAt, failure);
          if (delay === undefined || this.#session.isFinished()) {
            reject(error);
            return;
          }
          await this.createTimer(delay);
        }
      }
    };
    loop().catch(reject);
    return task;
  }
}
