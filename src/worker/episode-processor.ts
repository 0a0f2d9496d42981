import { randomUUID } from "node:crypto";
import { runEpisode, type EpisodeResult, type RequestedStart } from "../core/episode.js";
import type { Logger } from "../core/logger.js";
import type { ControlMessage } from "../core/messages.js";
import { OrchestrationSession } from "../core/session.js";
import { HistoryStore, type OutboxEntry } from "../azure-storage/history-store.js";
import type { ReceivedMessage } from "../azure-storage/message-queues.js";
import { positionRowKey } from "../azure-storage/names.js";
import { isConcurrencyConflict } from "../azure-storage/storage-errors.js";
import type { TaskHubStorage } from "../azure-storage/task-hub-storage.js";
import type { CachedInstance, InstanceCache } from "./instance-cache.js";
import type { Registry } from "./registry.js";

/** A received control message and its decoded content. */
export interface ControlDelivery {
  received: ReceivedMessage;
  message: ControlMessage;
}

/** How long a deferred message waits before it is looked at again. */
const DEFER_MS = 5_000;

const yieldToHost = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs one episode of one instance and carries out the commit protocol: load (or take from cache) → replay →
 * one eTag-guarded commit of history + outbox + sentinel → send the outbox → clear it → update the Instances row →
 * delete the consumed messages last. A crash anywhere leaves the consumed messages to reappear, and the next
 * episode resends whatever outbox the commit recorded.
 */
export class EpisodeProcessor {
  readonly #storage: TaskHubStorage;
  readonly #cache: InstanceCache;
  readonly #registry: Registry;
  readonly #logger: Logger;
  readonly #assertCanCommit: (instanceId: string) => void;

  /** `assertCanCommit` throws when this worker may not commit for the instance's partition (fencing). */
  constructor(storage: TaskHubStorage, cache: InstanceCache, registry: Registry, logger: Logger, assertCanCommit: (instanceId: string) => void) {
    this.#storage = storage;
    this.#cache = cache;
    this.#registry = registry;
    this.#logger = logger;
    this.#assertCanCommit = assertCanCommit;
  }

  /** Processes a batch of messages for one instance. Throws on storage failure (the caller abandons the batch). */
  async process(instanceId: string, deliveries: readonly ControlDelivery[]): Promise<void> {
    const due = await this.#rearmEarlyMessages(deliveries);
    if (due.length === 0) return;
    let entry = this.#cache.get(instanceId);
    let deferred: readonly ControlMessage[];
    let deferUntil = Date.now() + DEFER_MS;
    try {
      entry ??= await this.#load(instanceId);
      const requestedStart = await this.#requestedStart(instanceId, entry, due);
      const scheduled = requestedStart?.started.scheduledStartTime;
      // Events for a start scheduled later wait until just after it, not in a loop of short deferrals.
      if (scheduled !== undefined && Date.parse(scheduled) > Date.now()) deferUntil = Date.parse(scheduled) + 1_000;
      const result = await runEpisode({
        instanceId,
        state: entry?.state,
        session: entry?.session,
        messages: due.map((delivery) => delivery.message),
        requestedStart,
        now: new Date(),
        newId: randomUUID,
        newSession: () => this.#newSession(instanceId),
      });
      for (const { message, reason } of result.dropped) {
        this.#logger.debug("message dropped", { instanceId, messageId: message.id, eventType: message.event.type, reason });
      }
      entry = await this.#commit(instanceId, entry, result);
      deferred = result.deferred;
    } catch (error) {
      this.#cache.delete(instanceId);
      throw error;
    }
    if (entry !== undefined) this.#cache.set(instanceId, entry);
    await this.#settle(due, deferred, new Date(deferUntil).toISOString());
  }

  /** Timers and delayed starts hop toward their time: re-arm early copies (same id), then delete them. */
  async #rearmEarlyMessages(deliveries: readonly ControlDelivery[]): Promise<ControlDelivery[]> {
    const queues = this.#storage.queues;
    const now = Date.now();
    const due: ControlDelivery[] = [];
    for (const delivery of deliveries) {
      const visibleAt = delivery.message.visibleAt;
      // Never early: a copy that shows up before its time (queue delays are whole seconds, capped per hop) waits again.
      if (visibleAt !== undefined && Date.parse(visibleAt) > now) {
        await queues.sendEncoded(delivery.received.queueName, delivery.received.text, visibleAt, now);
        await queues.delete(delivery.received);
      } else {
        due.push(delivery);
      }
    }
    return due;
  }

  async #load(instanceId: string): Promise<CachedInstance | undefined> {
    const loaded = await this.#storage.history.load(instanceId);
    if (loaded === undefined) return undefined;
    if (loaded.outbox.length > 0) {
      this.#logger.info("resending unsent outbox", { instanceId, count: loaded.outbox.length });
      await this.#sendOutbox(instanceId, loaded.outbox);
    }
    if (loaded.garbageRowKeys.length > 0) await this.#storage.history.deleteRows(instanceId, loaded.garbageRowKeys);
    return {
      state: loaded.state,
      etag: loaded.etag,
      checkpoint: loaded.checkpoint,
      firstPosition: loaded.firstPosition,
      blobs: loaded.blobs,
      instanceRow: undefined,
      session: undefined,
    };
  }

  /** Reads the Instances row when a client start must be checked against it, or when the instance has no history. */
  async #requestedStart(instanceId: string, entry: CachedInstance | undefined, due: readonly ControlDelivery[]): Promise<RequestedStart | undefined> {
    const clientStart = due.some((delivery) => delivery.message.event.type === "ExecutionStarted" && delivery.message.event.parent === undefined);
    if (!clientStart && entry?.state !== undefined) return undefined;
    const row = await this.#storage.instances.get(instanceId);
    if (entry !== undefined) entry.instanceRow = row;
    if (row?.pendingStart === undefined || row.projection.runtimeStatus !== "Pending") return undefined;
    return { executionId: row.pendingStart.event.executionId, started: row.pendingStart.event };
  }

  async #commit(instanceId: string, entry: CachedInstance | undefined, result: EpisodeResult): Promise<CachedInstance | undefined> {
    const { history, instances, queues, payloads } = this.#storage;
    const projection = result.projection;
    if (projection === undefined) {
      // Nothing to record (duplicates, stale or deferred messages); notices to a parent go out directly.
      await Promise.all(result.outbox.map((message) => queues.send(message)));
      return entry;
    }
    const startPosition = entry === undefined ? 0 : entry.firstPosition + (entry.state?.history.length ?? 0);
    const newExecution = result.newExecution;
    const firstPosition = newExecution !== undefined || entry === undefined ? startPosition : entry.firstPosition;
    const executionId = newExecution?.executionId ?? entry?.state?.executionId ?? projection.executionId;
    const previousMessageIds = newExecution?.previousMessageIds ?? entry?.state?.previousMessageIds ?? [];
    const outbox: OutboxEntry[] = await Promise.all(
      result.outbox.map(async (message) => ({
        messageId: message.id,
        queueName: queues.queueFor(message),
        text: await queues.encode(message),
        ...(message.kind === "control" && message.visibleAt !== undefined ? { visibleAt: message.visibleAt } : {}),
      })),
    );
    let committed;
    try {
      this.#assertCanCommit(instanceId);
      committed = await history.commit({
        instanceId,
        etag: entry?.etag,
        checkpoint: entry?.checkpoint ?? 0,
        executionId,
        firstPosition,
        startPosition,
        events: result.appended,
        outbox,
        runtimeStatus: projection.runtimeStatus,
        projection,
        previousMessageIds,
      });
    } catch (error) {
      if (isConcurrencyConflict(error)) this.#logger.warn("instance changed by someone else; episode abandoned", { instanceId });
      throw error;
    }
    const oldRows = newExecution !== undefined && entry?.state !== undefined ? entry.state.history.map((_, offset) => positionRowKey(entry.firstPosition + offset)) : [];
    const oldBlobs = entry?.blobs ?? [];
    const state = newExecution === undefined && entry?.state !== undefined ? entry.state : { executionId, history: [], runtimeStatus: projection.runtimeStatus, previousMessageIds };
    state.history.push(...result.appended);
    state.runtimeStatus = projection.runtimeStatus;
    if (projection.customStatus !== undefined) state.customStatus = projection.customStatus;
    const next: CachedInstance = { state, etag: committed.etag, checkpoint: committed.checkpoint, firstPosition, blobs: [], instanceRow: entry?.instanceRow, session: result.session };
    next.blobs = newExecution !== undefined ? committed.blobs : [...new Set([...oldBlobs, ...committed.blobs])];
    // Only after the commit: send the outbox, then clear it; then the Instances row; then clean up.
    await this.#sendOutbox(instanceId, outbox);
    next.instanceRow = (await instances.writeProjection(projection, committed.checkpoint, next.instanceRow)) ?? next.instanceRow;
    if (oldRows.length > 0) await history.deleteRows(instanceId, oldRows);
    const orphaned = oldBlobs.filter((blob) => !next.blobs.includes(blob));
    if (orphaned.length > 0) await payloads.delete(orphaned);
    return next;
  }

  async #sendOutbox(instanceId: string, outbox: readonly OutboxEntry[]): Promise<void> {
    if (outbox.length === 0) return;
    const queues = this.#storage.queues;
    await Promise.all(outbox.map((entry) => queues.sendEncoded(entry.queueName, entry.text, entry.visibleAt)));
    await this.#storage.history.deleteRows(instanceId, outbox.map((entry) => HistoryStore.outboxRowKey(entry.messageId)));
  }

  /**
   * Deletes consumed messages (the last step). Deferred ones (events for an instance whose start has not run) are
   * re-sent to become visible at `deferUntil` — a fresh copy, so waiting does not count toward the poison limit.
   */
  async #settle(due: readonly ControlDelivery[], deferred: readonly ControlMessage[], deferUntil: string): Promise<void> {
    const queues = this.#storage.queues;
    const deferredIds = new Set(deferred.map((message) => message.id));
    const visibleAt = deferUntil;
    await Promise.all(
      due.map(async ({ received, message }) => {
        if (deferredIds.has(message.id)) await queues.sendEncoded(received.queueName, received.text, visibleAt);
        const deleted = await queues.delete(received);
        if (deleted && !deferredIds.has(message.id)) await queues.deleteEnvelopeBlob(received);
      }),
    );
  }

  #newSession(instanceId: string): OrchestrationSession {
    return new OrchestrationSession({
      instanceId,
      resolveOrchestration: (name, version) => this.#registry.orchestration(name, version),
      registeredOrchestrations: () => this.#registry.orchestrationNames(),
      yieldToHost,
      logger: this.#logger,
    });
  }
}
