import { randomUUID } from "node:crypto";
import type { OrchestrationDefinition } from "../core/definitions.js";
import { InvalidArgumentError } from "../core/errors.js";
import type { ControlEvent, ControlMessage } from "../core/messages.js";
import type { ExecutionStartedEvent } from "../core/history.js";
import { toJsonText } from "../core/json.js";
import { isTerminalStatus, type InstanceProjection, type RuntimeStatus, RUNTIME_STATUSES } from "../core/status.js";
import { escapeKey, validateInstanceId } from "../azure-storage/names.js";
import { TaskHubStorage, type TaskHubConnectionOptions } from "../azure-storage/task-hub-storage.js";
import type { InstanceQuery } from "../azure-storage/instance-store.js";
import { InstanceNotFoundError, InstanceStateError, WaitTimeoutError } from "./client-errors.js";
import { toOrchestrationStatus, type OrchestrationStatus } from "./orchestration-status.js";
import { pagedIterator, type PagedAsyncIterableIterator, type PageSettings } from "./paging.js";

/** Options of a {@link TaskHubClient}. */
export type TaskHubClientOptions = TaskHubConnectionOptions;

/** Options of {@link TaskHubClient.startOrchestration}. */
export interface StartOrchestrationOptions<I = unknown> {
  /** The orchestration's input (JSON). */
  input?: I;
  /**
   * The instance id. Starting an id whose instance has not finished returns the id without starting anything.
   * @default a random UUID
   */
  instanceId?: string;
  /**
   * Start no earlier than this time.
   * @default now
   */
  startAt?: Date;
  /**
   * Version recorded for the instance.
   * @default the definition's version
   */
  version?: string;
  /**
   * String tags stored with the instance.
   * @default undefined
   */
  tags?: Record<string, string>;
  /** Cancels the call. */
  abortSignal?: AbortSignal;
}

/** Options of {@link TaskHubClient.waitForCompletion}. */
export interface WaitForCompletionOptions {
  /**
   * Give up after this long with `WaitTimeoutError`.
   * @default 60000
   */
  timeoutMs?: number;
  /** Cancels the wait. */
  abortSignal?: AbortSignal;
}

/** Which instances {@link TaskHubClient.list} and {@link TaskHubClient.purgeBy} select. Every field narrows. */
export interface InstanceFilter {
  /** Any of these statuses. */
  runtimeStatus?: RuntimeStatus[];
  /** Created at or after this time. */
  createdFrom?: Date;
  /** Created at or before this time. */
  createdTo?: Date;
  /** Orchestration name (exact). */
  name?: string;
  /** Instance ids starting with this prefix. */
  instanceIdPrefix?: string;
}

/** One page of {@link TaskHubClient.list}. */
export interface OrchestrationStatusPage {
  items: OrchestrationStatus[];
  /** Pass to `byPage({ continuationToken })` for the next page; `undefined` on the last page. */
  continuationToken: string | undefined;
}

const START_REPAIR_GRACE_MS = 30_000;

/**
 * Starts, queries and controls orchestration instances. Needs no running worker: requests wait in the task hub's
 * queues until a worker takes them.
 */
export class TaskHubClient {
  readonly #storage: TaskHubStorage;

  constructor(options: TaskHubClientOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
    this.#storage = new TaskHubStorage(options);
  }

  /**
   * Starts an orchestration and returns its instance id. The request is recorded before it is sent, so a crash in
   * between never leaves an instance Pending forever (workers re-send such starts).
   */
  async startOrchestration<I, O>(orchestration: OrchestrationDefinition<I, O>, options?: StartOrchestrationOptions<I>): Promise<string>;
  async startOrchestration(orchestration: string, options?: StartOrchestrationOptions): Promise<string>;
  async startOrchestration(orchestration: OrchestrationDefinition<never, unknown> | string, options: StartOrchestrationOptions = {}): Promise<string> {
    const name = typeof orchestration === "string" ? orchestration : orchestration?.name;
    if (typeof name !== "string" || name === "") throw new InvalidArgumentError("orchestration", "must be a definition from defineOrchestration() or a non-empty name");
    const instanceId = validateInstanceId(options.instanceId ?? randomUUID().replace(/-/g, ""), "options.instanceId");
    const input = toJsonText(options.input, "options.input");
    const version = options.version ?? (typeof orchestration === "string" ? undefined : orchestration.version);
    if (options.startAt !== undefined && (!(options.startAt instanceof Date) || Number.isNaN(options.startAt.getTime()))) {
      throw new InvalidArgumentError("options.startAt", "must be a valid Date");
    }
    const tags = validateTags(options.tags);
    const queues = await this.#storage.ensure();
    const existing = await this.#storage.instances.get(instanceId, { payloads: false });
    if (existing !== undefined && !isTerminalStatus(existing.projection.runtimeStatus)) {
      await this.#resendStaleStart(instanceId, existing.projection, existing.pendingStart);
      return instanceId;
    }
    const now = new Date().toISOString();
    const event: ExecutionStartedEvent = {
      type: "ExecutionStarted",
      name,
      executionId: randomUUID(),
      generation: existing === undefined ? 0 : existing.projection.generation + 1,
      timestamp: now,
      ...(version === undefined ? {} : { version }),
      ...(input === undefined ? {} : { input }),
      ...(tags === undefined ? {} : { tags }),
      ...(options.startAt === undefined ? {} : { scheduledStartTime: options.startAt.toISOString() }),
    };
    const projection: InstanceProjection = {
      instanceId,
      executionId: event.executionId,
      name,
      runtimeStatus: "Pending",
      createdTime: now,
      lastUpdatedTime: now,
      generation: event.generation,
      ...(version === undefined ? {} : { version }),
      ...(input === undefined ? {} : { input }),
      ...(tags === undefined ? {} : { tags }),
      ...(event.scheduledStartTime === undefined ? {} : { scheduledStartTime: event.scheduledStartTime }),
    };
    const messageId = randomUUID();
    if (!(await this.#storage.instances.writePendingStart(projection, { messageId, event }, existing))) return instanceId;
    const message: ControlMessage = { kind: "control", id: messageId, instanceId, event, ...(event.scheduledStartTime === undefined ? {} : { visibleAt: event.scheduledStartTime }) };
    await queues.send(message);
    return instanceId;
  }

  /** The instance's status, or `undefined` when it does not exist. */
  async getStatus(instanceId: string, options: { includeHistory?: boolean } = {}): Promise<OrchestrationStatus | undefined> {
    validateInstanceId(instanceId);
    await this.#storage.ensure();
    const record = await this.#storage.instances.get(instanceId);
    if (record === undefined) return undefined;
    const status = toOrchestrationStatus(record.projection);
    if (options.includeHistory === true) {
      const state = (await this.#storage.history.load(instanceId))?.state;
      status.history = state?.executionId === record.projection.executionId ? state.history : [];
    }
    return status;
  }

  /** Waits until the instance completes, fails or is terminated, and returns its final status. */
  async waitForCompletion(instanceId: string, options: WaitForCompletionOptions = {}): Promise<OrchestrationStatus> {
    validateInstanceId(instanceId);
    const timeoutMs = options.timeoutMs ?? 60_000;
    if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) throw new InvalidArgumentError("options.timeoutMs", "must be a number ≥ 0");
    await this.#storage.ensure();
    const deadline = Date.now() + timeoutMs;
    let intervalMs = 20;
    let last: RuntimeStatus | undefined;
    for (;;) {
      options.abortSignal?.throwIfAborted();
      const record = await this.#storage.instances.get(instanceId, { payloads: false });
      last = record?.projection.runtimeStatus;
      if (last !== undefined && isTerminalStatus(last)) {
        const final = await this.getStatus(instanceId);
        if (final !== undefined) return final;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new WaitTimeoutError(instanceId, timeoutMs, last);
      await sleep(Math.min(intervalMs, remaining), options.abortSignal);
      intervalMs = Math.min(intervalMs * 1.5, 500);
    }
  }

  /** Raises an event to a running (or not yet started) instance. */
  async raiseEvent(instanceId: string, eventName: string, data?: unknown): Promise<void> {
    if (typeof eventName !== "string" || eventName === "") throw new InvalidArgumentError("eventName", "must be a non-empty string");
    const input = toJsonText(data, "data");
    await this.#sendToRunning(instanceId, "raise an event to", { type: "EventRaised", name: eventName, timestamp: new Date().toISOString(), ...(input === undefined ? {} : { input }) });
  }

  /** Terminates an instance that has not finished (pending, running or suspended); finished instances are left alone. */
  async terminate(instanceId: string, reason?: string): Promise<void> {
    const record = await this.#existing(instanceId);
    if (isTerminalStatus(record.runtimeStatus)) return;
    await this.#send(instanceId, { type: "ExecutionTerminated", timestamp: new Date().toISOString(), ...reasonField(reason) });
  }

  /** Suspends an instance: new events wait until {@link resume}. */
  async suspend(instanceId: string, reason?: string): Promise<void> {
    await this.#sendToRunning(instanceId, "suspend", { type: "ExecutionSuspended", timestamp: new Date().toISOString(), ...reasonField(reason) });
  }

  /** Resumes a suspended instance. */
  async resume(instanceId: string, reason?: string): Promise<void> {
    await this.#sendToRunning(instanceId, "resume", { type: "ExecutionResumed", timestamp: new Date().toISOString(), ...reasonField(reason) });
  }

  /**
   * Deletes a finished instance's history, status row and payload blobs.
   * @returns whether the instance existed
   * @throws {@link InstanceStateError} when the instance has not finished (terminate it first)
   */
  async purge(instanceId: string): Promise<boolean> {
    validateInstanceId(instanceId);
    await this.#storage.ensure();
    const record = await this.#storage.instances.get(instanceId, { payloads: false });
    if (record !== undefined && !isTerminalStatus(record.projection.runtimeStatus)) {
      throw new InstanceStateError(instanceId, record.projection.runtimeStatus, "purge");
    }
    const rows = await this.#storage.history.purge(instanceId);
    await this.#storage.payloads.deleteOwner(escapeKey(instanceId));
    const deleted = await this.#storage.instances.delete(instanceId);
    return deleted || rows > 0;
  }

  /**
   * Purges every finished instance the filter selects (statuses other than Completed, Failed and Terminated are
   * ignored). Returns how many were purged.
   */
  async purgeBy(filter: InstanceFilter = {}): Promise<number> {
    const terminal = (filter.runtimeStatus ?? ["Completed", "Failed", "Terminated"]).filter(isTerminalStatus);
    if (terminal.length === 0) return 0;
    let purged = 0;
    for await (const page of this.list({ ...filter, runtimeStatus: terminal }).byPage({ maxPageSize: 100 })) {
      const results = await Promise.all(page.items.map((status) => this.purge(status.instanceId)));
      purged += results.filter(Boolean).length;
    }
    return purged;
  }

  /**
   * Lists instances matching the filter: `for await (const status of client.list(filter))`, or page by page with
   * `byPage({ maxPageSize, continuationToken })`.
   */
  list(filter: InstanceFilter = {}): PagedAsyncIterableIterator<OrchestrationStatus, OrchestrationStatusPage> {
    const query = validateFilter(filter);
    const storage = this.#storage;
    return pagedIterator<OrchestrationStatus, OrchestrationStatusPage>(async function* pages(settings: PageSettings) {
      await storage.ensure();
      for await (const page of storage.instances.queryPages(query, settings)) {
        yield { items: page.records.map((record) => toOrchestrationStatus(record.projection)), continuationToken: page.continuationToken };
      }
    });
  }

  async #existing(instanceId: string): Promise<InstanceProjection> {
    validateInstanceId(instanceId);
    await this.#storage.ensure();
    const record = await this.#storage.instances.get(instanceId, { payloads: false });
    if (record === undefined) throw new InstanceNotFoundError(instanceId);
    return record.projection;
  }

  async #sendToRunning(instanceId: string, operation: string, event: ControlEvent): Promise<void> {
    const projection = await this.#existing(instanceId);
    if (isTerminalStatus(projection.runtimeStatus)) throw new InstanceStateError(instanceId, projection.runtimeStatus, operation);
    await this.#send(instanceId, event);
  }

  async #send(instanceId: string, event: ControlEvent): Promise<void> {
    const queues = await this.#storage.ensure();
    await queues.send({ kind: "control", id: randomUUID(), instanceId, event });
  }

  /** Idempotent start of a Pending instance whose start message may never have been sent: send it again. */
  async #resendStaleStart(instanceId: string, projection: InstanceProjection, pending: { messageId: string; event: ExecutionStartedEvent } | undefined): Promise<void> {
    if (projection.runtimeStatus !== "Pending" || pending === undefined) return;
    if (Date.now() - Date.parse(projection.createdTime) < START_REPAIR_GRACE_MS) return;
    const full = await this.#storage.instances.get(instanceId);
    const start = full?.pendingStart;
    if (start === undefined || full?.projection.runtimeStatus !== "Pending") return;
    await this.#storage.queues.send({ kind: "control", id: start.messageId, instanceId, event: start.event, ...(start.event.scheduledStartTime === undefined ? {} : { visibleAt: start.event.scheduledStartTime }) });
  }
}

function reasonField(reason: string | undefined): { reason?: string } {
  if (reason === undefined) return {};
  if (typeof reason !== "string") throw new InvalidArgumentError("reason", "must be a string");
  return { reason };
}

function validateTags(tags: unknown): Record<string, string> | undefined {
  if (tags === undefined) return undefined;
  if (typeof tags !== "object" || tags === null || Array.isArray(tags)) throw new InvalidArgumentError("options.tags", "must be an object of string values");
  for (const [key, value] of Object.entries(tags)) {
    if (typeof value !== "string") throw new InvalidArgumentError(`options.tags.${key}`, "must be a string");
  }
  return { ...(tags as Record<string, string>) };
}

function validateFilter(filter: InstanceFilter): InstanceQuery {
  const query: InstanceQuery = {};
  if (filter.runtimeStatus !== undefined) {
    for (const status of filter.runtimeStatus) {
      if (!RUNTIME_STATUSES.includes(status)) throw new InvalidArgumentError("filter.runtimeStatus", `unknown status ${JSON.stringify(status)} (expected one of ${RUNTIME_STATUSES.join(", ")})`);
    }
    query.runtimeStatus = filter.runtimeStatus;
  }
  for (const field of ["createdFrom", "createdTo"] as const) {
    const value = filter[field];
    if (value === undefined) continue;
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InvalidArgumentError(`filter.${field}`, "must be a valid Date");
    query[field] = value;
  }
  if (filter.name !== undefined) query.name = filter.name;
  if (filter.instanceIdPrefix !== undefined) query.instanceIdPrefix = filter.instanceIdPrefix;
  return query;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
