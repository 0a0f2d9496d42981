import { createHash } from "node:crypto";
import type { OrchestrationDefinition } from "./definitions.js";
import type { DurableTask} from "./durable-task.js";
import { createDurableTask, TimerCanceledError, TimerTask } from "./durable-task.js";
import { toFailureDetails, type FailureDetails } from "./failure.js";
import { describeEvent, type ActionEvent, type EventRaisedEvent, type ExecutionStartedEvent, type HistoryEvent } from "./history.js";
import { fromJsonText, toJsonText } from "./json.js";
import type { Logger } from "./logger.js";
import { SubOrchestrationFailedError, NonDeterminismError, NonDurableAwaitError, OrchestrationNotFoundError, TaskFailedError } from "./task-errors.js";
import { OrchestrationContextImpl } from "./context-impl.js";

/** How an execution ended. */
export type Outcome =
  | { kind: "completed"; result?: string }
  | { kind: "failed"; failure: FailureDetails }
  | { kind: "terminated"; reason?: string }
  | { kind: "continuedAsNew"; input?: string; carryEvents: EventRaisedEvent[] };

/** Something the orchestrator asked for that must be recorded and sent. */
export type OrchestratorAction =
  | { kind: "ScheduleTask"; taskId: number; name: string; input?: string }
  | { kind: "CreateTimer"; taskId: number; fireAt: string }
  | { kind: "CreateSubOrchestration"; taskId: number; name: string; version?: string; instanceId: string; input?: string }
  | { kind: "SendEvent"; taskId: number; instanceId: string; name: string; input?: string };

/** Looks up the code of an orchestration. */
export type OrchestrationResolver = (name: string, version: string | undefined) => OrchestrationDefinition | undefined;

/** What a session needs from its host. */
export interface SessionOptions {
  instanceId: string;
  resolveOrchestration: OrchestrationResolver;
  /** Names of registered orchestrations, for error messages. */
  registeredOrchestrations: () => readonly string[];
  /** Resolves after every pending microtask has run (the worker passes a `setImmediate` promise). */
  yieldToHost: () => Promise<void>;
  logger: Logger;
}

interface OpenTask {
  kind: "activity" | "timer" | "subOrchestration";
  name: string;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  instanceId?: string;
}

interface EventWaiter {
  resolve: (value: unknown) => void;
}

/**
 * A live orchestration execution: the orchestrator's coroutine plus the bookkeeping that replays it over
 * history. Feed it events with {@link apply}; it records actions and an {@link outcome}. A session can stay in
 * memory between episodes (warm) or be rebuilt by replaying the whole history (cold): both give the same result.
 */
export class OrchestrationSession {
  readonly instanceId: string;
  outcome: Outcome | undefined;
  /** JSON text of the custom status, when set. */
  customStatus: string | undefined;
  suspended = false;
  started: ExecutionStartedEvent | undefined;
  /** Number of history events applied so far. */
  position = 0;
  now = new Date(0);
  replaying = true;

  readonly #options: SessionOptions;
  readonly #open = new Map<number, OpenTask>();
  readonly #pendingActions = new Map<number, OrchestratorAction>();
  readonly #waiters = new Map<string, EventWaiter[]>();
  readonly #bufferedEvents: EventRaisedEvent[] = [];
  readonly #held: HistoryEvent[] = [];
  #nextTaskId = 0;
  #guidCounter = 0;
  #executing = false;
  #context: OrchestrationContextImpl | undefined;

  constructor(options: SessionOptions) {
    this.instanceId = options.instanceId;
    this.#options = options;
  }

  /** The orchestration's name, once started. */
  get name(): string {
    return this.started?.name ?? "";
  }

  /**
   * Applies events in order, running the orchestrator code between them. Stops early once the execution has an
   * outcome and returns how many events it consumed.
   */
  async apply(events: readonly HistoryEvent[], replaying: boolean): Promise<number> {
    this.#executing = true;
    this.replaying = replaying;
    let consumed = 0;
    try {
      for (const event of events) {
        if (this.outcome !== undefined) break;
        this.position += 1;
        consumed += 1;
        if (this.#handle(event)) await this.#options.yieldToHost();
        if (this.#held.length > 0 && !this.suspended) await this.#releaseHeld();
      }
      if (!replaying && this.outcome === undefined && this.started !== undefined && !this.suspended && this.#isBlockedOnNothing()) {
        this.#fail(new NonDurableAwaitError(this.name, "is waiting on something that is not a durable task (no activity, timer, event or sub-orchestration is outstanding)"));
      }
    } finally {
      this.#executing = false;
    }
    return consumed;
  }

  /** Actions the code produced that history does not record yet, in call order (recording their events removes them). */
  takeNewActions(): OrchestratorAction[] {
    const actions = [...this.#pendingActions.values()].sort((a, b) => a.taskId - b.taskId);
    return actions;
  }

  /** Events raised to the instance that no code has awaited yet. */
  get unprocessedEvents(): readonly EventRaisedEvent[] {
    return this.#bufferedEvents;
  }

  #isBlockedOnNothing(): boolean {
    if (this.#open.size > 0) return false;
    for (const list of this.#waiters.values()) if (list.length > 0) return false;
    return true;
  }

  #handle(event: HistoryEvent): boolean {
    switch (event.type) {
      case "OrchestratorStarted":
        this.now = new Date(event.timestamp);
        return false;
      case "ExecutionStarted":
        return this.#start(event);
      case "TaskScheduled":
      case "TimerCreated":
      case "SubOrchestrationCreated":
      case "EventSent":
        this.#matchAction(event);
        return false;
      case "ExecutionTerminated":
        this.outcome = event.reason === undefined ? { kind: "terminated" } : { kind: "terminated", reason: event.reason };
        return false;
      case "ExecutionSuspended":
        this.suspended = true;
        return false;
      case "ExecutionResumed":
        this.suspended = false;
        return false;
      case "ExecutionCompleted":
        this.outcome = event.status === "Failed"
          ? { kind: "failed", failure: event.failure ?? { errorType: "Error", message: "failed" } }
          : { kind: "completed", ...(event.result === undefined ? {} : { result: event.result }) };
        return false;
      default:
        if (this.suspended) {
          this.#held.push(event);
          return false;
        }
        return this.#deliver(event);
    }
  }

  async #releaseHeld(): Promise<void> {
    while (this.#held.length > 0 && !this.suspended && this.outcome === undefined) {
      const event = this.#held.shift();
      if (event !== undefined && this.#deliver(event)) await this.#options.yieldToHost();
    }
  }

  #deliver(event: HistoryEvent): boolean {
    switch (event.type) {
      case "TaskCompleted":
      case "SubOrchestrationCompleted":
      case "TimerFired": {
        const open = this.#open.get(event.taskId);
        if (open === undefined) return false;
        this.#open.delete(event.taskId);
        open.resolve(event.type === "TimerFired" ? undefined : fromJsonText(event.result));
        return true;
      }
      case "TaskFailed":
      case "SubOrchestrationFailed": {
        const open = this.#open.get(event.taskId);
        if (open === undefined) return false;
        this.#open.delete(event.taskId);
        open.reject(
          event.type === "TaskFailed"
            ? new TaskFailedError(open.name, event.taskId, event.failure)
            : new SubOrchestrationFailedError(open.name, open.instanceId ?? "", event.failure),
        );
        return true;
      }
      case "EventRaised": {
        const waiter = this.#waiters.get(event.name)?.shift();
        if (waiter === undefined) {
          this.#bufferedEvents.push(event);
          return false;
        }
        waiter.resolve(fromJsonText(event.input));
        return true;
      }
      default:
        return false;
    }
  }

  #start(event: ExecutionStartedEvent): boolean {
    if (this.started !== undefined) return false;
    this.started = event;
    const definition = this.#options.resolveOrchestration(event.name, event.version);
    if (definition === undefined) {
      this.#fail(new OrchestrationNotFoundError(event.name, this.#options.registeredOrchestrations()));
      return false;
    }
    this.#context = new OrchestrationContextImpl(this, event);
    const context = this.#context;
    let running: Promise<unknown>;
    try {
      running = Promise.resolve(definition.run(context, fromJsonText(event.input)));
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (value) => this.#complete(value),
      (error: unknown) => this.#fail(error),
    );
    return true;
  }

  #complete(value: unknown): void {
    if (this.outcome !== undefined) return;
    try {
      const result = toJsonText(value, "output");
      this.outcome = result === undefined ? { kind: "completed" } : { kind: "completed", result };
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    if (this.outcome !== undefined) return;
    this.outcome = { kind: "failed", failure: toFailureDetails(error) };
  }

  #matchAction(event: ActionEvent): void {
    const action = this.#pendingActions.get(event.taskId);
    const expected = describeEvent(event);
    if (action === undefined) {
      this.#fail(new NonDeterminismError(this.name, this.position - 1, expected, `nothing for task ${event.taskId} (the code made ${this.#nextTaskId} durable calls so far)`));
      return;
    }
    const actual = describeAction(action);
    if (actual !== expected) {
      this.#fail(new NonDeterminismError(this.name, this.position - 1, expected, actual));
      return;
    }
    this.#pendingActions.delete(event.taskId);
  }

  // ---- called by the context ----

  /** @internal Throws when user code calls the context outside an episode (after a non-durable await). */
  assertExecuting(): void {
    if (!this.#executing) {
      const error = new NonDurableAwaitError(this.name, "called the orchestration context after awaiting something that is not a durable task");
      this.#fail(error);
      throw error;
    }
  }

  /** @internal */
  isFinished(): boolean {
    return this.outcome !== undefined;
  }

  /** @internal */
  schedule<T>(action: OrchestratorAction, kind: OpenTask["kind"] | undefined, name: string, instanceId?: string): DurableTask<T> {
    this.#pendingActions.set(action.taskId, action);
    const { task, resolve, reject } = createDurableTask<T>();
    if (kind !== undefined) {
      const open: OpenTask = { kind, name, resolve: resolve as (value: unknown) => void, reject };
      if (instanceId !== undefined) open.instanceId = instanceId;
      this.#open.set(action.taskId, open);
    }
    return task;
  }

  /** @internal */
  createTimerTask(fireAt: Date): TimerTask {
    const taskId = this.allocateTaskId();
    const action: OrchestratorAction = { kind: "CreateTimer", taskId, fireAt: fireAt.toISOString() };
    this.#pendingActions.set(taskId, action);
    let settle!: { resolve: (value: void) => void; reject: (error: unknown) => void };
    const task = new TimerTask(
      (resolve, reject) => (settle = { resolve, reject }),
      () => {
        if (!this.#open.delete(taskId)) return;
        settle.reject(new TimerCanceledError(taskId));
      },
    );
    this.#open.set(taskId, { kind: "timer", name: "timer", resolve: settle.resolve as (value: unknown) => void, reject: settle.reject });
    return task;
  }

  /** @internal */
  allocateTaskId(): number {
    return this.#nextTaskId++;
  }

  /** @internal Registers a waiter, or takes a buffered event at once. Returns a function that withdraws the waiter. */
  waitForEvent(name: string, resolve: (value: unknown) => void): () => void {
    const index = this.#bufferedEvents.findIndex((event) => event.name === name);
    if (index >= 0) {
      const [event] = this.#bufferedEvents.splice(index, 1);
      resolve(fromJsonText(event?.input));
      return () => undefined;
    }
    const waiter: EventWaiter = { resolve };
    const list = this.#waiters.get(name) ?? [];
    list.push(waiter);
    this.#waiters.set(name, list);
    return () => {
      const at = list.indexOf(waiter);
      if (at >= 0) list.splice(at, 1);
    };
  }

  /** @internal */
  requestContinueAsNew(input: string | undefined, preserveEvents: boolean): void {
    if (this.outcome !== undefined) return;
    this.outcome = { kind: "continuedAsNew", carryEvents: preserveEvents ? [...this.#bufferedEvents] : [] };
    if (input !== undefined) this.outcome.input = input;
  }

  /** @internal A deterministic UUID (name-based, SHA-1, RFC 4122 version 5 layout). */
  newGuid(executionId: string): string {
    const bytes = createHash("sha1").update(`${this.instanceId}\u0000${executionId}\u0000${this.#guidCounter++}`).digest();
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
    const hex = bytes.subarray(0, 16).toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  /** @internal */
  get logger(): Logger {
    return this.#options.logger;
  }
}

const ACTION_EVENT_TYPES = {
  ScheduleTask: "TaskScheduled",
  CreateTimer: "TimerCreated",
  CreateSubOrchestration: "SubOrchestrationCreated",
  SendEvent: "EventSent",
} as const satisfies Record<OrchestratorAction["kind"], ActionEvent["type"]>;

/** Describes an action the way {@link describeEvent} describes the history event that records it. */
function describeAction(action: OrchestratorAction): string {
  return describeEvent({ ...action, type: ACTION_EVENT_TYPES[action.kind], timestamp: "" } as ActionEvent);
}
