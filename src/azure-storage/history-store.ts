import type { TableClient, TableTransactionResponse, TransactionAction } from "@azure/data-tables";
import { TaskHubError } from "../core/errors.js";
import type { InstanceState } from "../core/episode.js";
import type { HistoryEvent } from "../core/history.js";
import type { InstanceProjection, RuntimeStatus } from "../core/status.js";
import { escapeKey, odataString, parsePositionRowKey, positionRowKey } from "./names.js";
import type { PayloadStore } from "./payload-store.js";
import { isNotFound } from "./storage-errors.js";
import { getTextColumn, setTextColumn, storedColumn, type EntityColumns } from "./table-payloads.js";

const SENTINEL = "sentinel";
const OUTBOX_PREFIX = "outbox-";
/** Operations per entity-group transaction besides the sentinel (the service allows 100 in all). */
const MAX_BATCH_OPERATIONS = 99;
/** Estimated request size per transaction, below the 4 MiB limit. */
const MAX_BATCH_BYTES = 3 * 1024 * 1024;

/** An outbound message recorded in the same transaction as the history that produced it. */
export interface OutboxEntry {
  messageId: string;
  queueName: string;
  /** The queue text (already small: large messages are blob envelopes). */
  text: string;
  visibleAt?: string;
}

/** An instance as the history table holds it. */
export interface LoadedInstance {
  /** The committed execution; `undefined` when only the placeholder of an unfinished first commit exists. */
  state: InstanceState | undefined;
  etag: string;
  checkpoint: number;
  firstPosition: number;
  projection: InstanceProjection | undefined;
  /** Committed outbox entries not yet cleared: they may not have been sent. */
  outbox: OutboxEntry[];
  /** Rows that no committed state refers to (old executions, failed partial commits). */
  garbageRowKeys: string[];
  /** Blobs referenced by the current execution's rows and the sentinel. */
  blobs: string[];
}

/** One episode's commit. */
export interface CommitRequest {
  instanceId: string;
  /** The sentinel eTag read with the history; `undefined` when the instance has no sentinel yet. */
  etag: string | undefined;
  /** The checkpoint number the loaded state had (0 when new). */
  checkpoint: number;
  executionId: string;
  /** Position of the execution's first event. */
  firstPosition: number;
  /** Position of the first event in `events`. */
  startPosition: number;
  events: readonly HistoryEvent[];
  outbox: readonly OutboxEntry[];
  runtimeStatus: RuntimeStatus;
  projection: InstanceProjection;
  previousMessageIds: readonly string[];
}

/** What a commit produced. */
export interface CommitResult {
  etag: string;
  checkpoint: number;
  /** Blobs the new rows and the new sentinel refer to. */
  blobs: string[];
}

/** Raised when stored history is inconsistent in a way replay cannot repair. */
export class HistoryCorruptedError extends TaskHubError {
  constructor(instanceId: string, detail: string) {
    super("TASKHUB_WORKER_STATE", `History of instance "${instanceId}" is inconsistent: ${detail}`);
  }
}

/**
 * The history table: per instance one table partition with a row per event (RowKey = 16-hex position), outbox
 * rows, and a `sentinel` row whose eTag is the instance's concurrency token. Positions never restart: a new
 * execution continues after the old one, whose rows are deleted after the commit, so no commit overwrites rows
 * a committed state still refers to.
 */
export class HistoryStore {
  readonly #table: TableClient;
  readonly #payloads: PayloadStore;

  constructor(table: TableClient, payloads: PayloadStore) {
    this.#table = table;
    this.#payloads = payloads;
  }

  /** Loads the current execution, its unsent outbox and the sentinel eTag; `undefined` when nothing is stored. */
  async load(instanceId: string): Promise<LoadedInstance | undefined> {
    const partitionKey = escapeKey(instanceId);
    const rows: (EntityColumns & { rowKey: string; etag: string })[] = [];
    const entities = this.#table.listEntities<EntityColumns>({ queryOptions: { filter: `PartitionKey eq ${odataString(partitionKey)}` } });
    for await (const entity of entities) rows.push(entity as EntityColumns & { rowKey: string; etag: string });
    const sentinel = rows.find((row) => row.rowKey === SENTINEL);
    if (sentinel === undefined) return undefined;
    const executionId = String(sentinel.ExecutionId);
    const firstPosition = Number(sentinel.FirstPosition ?? 0);
    const length = Number(sentinel.HistoryLength ?? 0);
    const checkpoint = Number(sentinel.Checkpoint ?? 0);
    if (checkpoint === 0) {
      // A multi-transaction first commit died after its first transaction: nothing is committed yet, but the
      // placeholder sentinel's eTag must guard the next attempt.
      const garbage = rows.filter((row) => row.rowKey !== SENTINEL).map((row) => row.rowKey);
      return { state: undefined, etag: sentinel.etag, checkpoint, firstPosition, projection: undefined, outbox: [], garbageRowKeys: garbage, blobs: [] };
    }
    const eventRows = new Map<number, EntityColumns>();
    const outbox: OutboxEntry[] = [];
    const garbageRowKeys: string[] = [];
    for (const row of rows) {
      if (row.rowKey === SENTINEL) continue;
      const position = parsePositionRowKey(row.rowKey);
      if (position !== undefined && position >= firstPosition && position < firstPosition + length && row.ExecutionId === executionId) {
        eventRows.set(position, row);
      } else if (row.rowKey.startsWith(OUTBOX_PREFIX) && Number(row.Checkpoint) <= checkpoint) {
        outbox.push({
          messageId: row.rowKey.slice(OUTBOX_PREFIX.length),
          queueName: String(row.QueueName),
          text: String(row.Message),
          ...(typeof row.VisibleAt === "string" ? { visibleAt: row.VisibleAt } : {}),
        });
      } else {
        garbageRowKeys.push(row.rowKey);
      }
    }
    const blobs: string[] = [];
    const history = await Promise.all(
      Array.from({ length }, async (_, offset) => {
        const row = eventRows.get(firstPosition + offset);
        if (row === undefined) throw new HistoryCorruptedError(instanceId, `event row ${positionRowKey(firstPosition + offset)} of execution ${executionId} is missing`);
        const blob = storedColumn(row, "Event")?.blob;
        if (blob !== undefined) blobs.push(blob);
        const text = await getTextColumn(row, "Event", this.#payloads);
        if (text === undefined) throw new HistoryCorruptedError(instanceId, `event row ${positionRowKey(firstPosition + offset)} has no event`);
        return JSON.parse(text) as HistoryEvent;
      }),
    );
    for (const column of ["Projection", "PreviousMessageIds"]) {
      const blob = storedColumn(sentinel, column)?.blob;
      if (blob !== undefined) blobs.push(blob);
    }
    const projectionText = await getTextColumn(sentinel, "Projection", this.#payloads);
    const projection = projectionText === undefined ? undefined : (JSON.parse(projectionText) as InstanceProjection);
    const previousIdsText = await getTextColumn(sentinel, "PreviousMessageIds", this.#payloads);
    const state: InstanceState = {
      executionId,
      history,
      runtimeStatus: String(sentinel.RuntimeStatus) as RuntimeStatus,
      previousMessageIds: previousIdsText === undefined ? [] : (JSON.parse(previousIdsText) as string[]),
    };
    if (projection?.customStatus !== undefined) state.customStatus = projection.customStatus;
    return { state, etag: sentinel.etag, checkpoint, firstPosition, projection, outbox, garbageRowKeys, blobs };
  }

  /**
   * Writes new events, outbox rows and the sentinel in entity-group transactions guarded by the sentinel eTag.
   * Past 99 rows or ~3 MiB the commit spans several transactions: the earlier ones only add rows beyond the
   * committed length (inert until the last one moves the sentinel), so a crash part-way leaves nothing visible.
   * @throws the storage error (409/412) when someone else changed the instance first.
   */
  async commit(request: CommitRequest): Promise<CommitResult> {
    const partitionKey = escapeKey(request.instanceId);
    const checkpoint = request.checkpoint + 1;
    const blobs: string[] = [];
    const operations: { action: TransactionAction; bytes: number }[] = [];
    for (const [offset, event] of request.events.entries()) {
      const entity: EntityColumns = { partitionKey, rowKey: positionRowKey(request.startPosition + offset), ExecutionId: request.executionId, EventType: event.type };
      await setTextColumn(entity, "Event", JSON.stringify(event), this.#payloads, partitionKey);
      if (typeof entity.EventBlob === "string") blobs.push(entity.EventBlob);
      operations.push({ action: ["upsert", entity as { partitionKey: string; rowKey: string }, "Replace"], bytes: estimateBytes(entity) });
    }
    for (const entry of request.outbox) {
      const entity = {
        partitionKey,
        rowKey: `${OUTBOX_PREFIX}${entry.messageId}`,
        ExecutionId: request.executionId,
        Checkpoint: checkpoint,
        QueueName: entry.queueName,
        Message: entry.text,
        VisibleAt: entry.visibleAt ?? null,
      };
      operations.push({ action: ["upsert", entity, "Replace"], bytes: estimateBytes(entity) });
    }
    const sentinel: EntityColumns = {
      partitionKey,
      rowKey: SENTINEL,
      ExecutionId: request.executionId,
      Name: request.projection.name,
      RuntimeStatus: request.runtimeStatus,
      FirstPosition: request.firstPosition,
      HistoryLength: request.startPosition + request.events.length - request.firstPosition,
      Checkpoint: checkpoint,
      PendingCheckpoint: null,
      CommittedAt: new Date(),
    };
    await setTextColumn(sentinel, "Projection", JSON.stringify(request.projection), this.#payloads, partitionKey);
    await setTextColumn(sentinel, "PreviousMessageIds", JSON.stringify(request.previousMessageIds), this.#payloads, partitionKey);
    for (const column of ["ProjectionBlob", "PreviousMessageIdsBlob"]) if (typeof sentinel[column] === "string") blobs.push(sentinel[column]);

    const batches = splitBatches(operations);
    let etag = request.etag;
    for (const [index, batch] of batches.entries()) {
      const last = index === batches.length - 1;
      let sentinelAction: TransactionAction;
      if (last) {
        sentinelAction = etag === undefined ? ["create", sentinel as { partitionKey: string; rowKey: string }] : ["update", sentinel as { partitionKey: string; rowKey: string }, "Replace", { etag }];
      } else if (etag === undefined) {
        sentinelAction = ["create", { partitionKey, rowKey: SENTINEL, ExecutionId: request.executionId, RuntimeStatus: "Pending", FirstPosition: request.firstPosition, HistoryLength: 0, Checkpoint: 0, PendingCheckpoint: checkpoint }];
      } else {
        sentinelAction = ["update", { partitionKey, rowKey: SENTINEL, PendingCheckpoint: checkpoint }, "Merge", { etag }];
      }
      const response: TableTransactionResponse = await this.#table.submitTransaction([sentinelAction, ...batch]);
      etag = response.subResponses[0]?.etag ?? etag;
    }
    if (etag === undefined) throw new Error("commit returned no eTag");
    return { etag, checkpoint, blobs };
  }

  /** Deletes rows (cleared outbox entries, garbage) in batches; rows that are already gone are fine. */
  async deleteRows(instanceId: string, rowKeys: readonly string[]): Promise<void> {
    const partitionKey = escapeKey(instanceId);
    for (let start = 0; start < rowKeys.length; start += 100) {
      const chunk = rowKeys.slice(start, start + 100);
      try {
        await this.#table.submitTransaction(chunk.map((rowKey): TransactionAction => ["delete", { partitionKey, rowKey }]));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await Promise.all(chunk.map((rowKey) => this.#deleteOne(partitionKey, rowKey)));
      }
    }
  }

  /** Row key of an outbox entry. */
  static outboxRowKey(messageId: string): string {
    return `${OUTBOX_PREFIX}${messageId}`;
  }

  /** Deletes every row of an instance (all executions, outbox, sentinel). Returns how many rows were deleted. */
  async purge(instanceId: string): Promise<number> {
    const partitionKey = escapeKey(instanceId);
    const rowKeys: string[] = [];
    const entities = this.#table.listEntities({ queryOptions: { filter: `PartitionKey eq ${odataString(partitionKey)}`, select: ["RowKey"] } });
    for await (const entity of entities) rowKeys.push(entity.rowKey ?? "");
    await this.deleteRows(instanceId, rowKeys);
    return rowKeys.length;
  }

  async #deleteOne(partitionKey: string, rowKey: string): Promise<void> {
    try {
      await this.#table.deleteEntity(partitionKey, rowKey);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function estimateBytes(entity: EntityColumns): number {
  let bytes = 1024;
  for (const value of Object.values(entity)) if (typeof value === "string") bytes += value.length * 2;
  return bytes;
}

function splitBatches(operations: readonly { action: TransactionAction; bytes: number }[]): TransactionAction[][] {
  const batches: TransactionAction[][] = [[]];
  let bytes = 0;
  for (const operation of operations) {
    const current = batches[batches.length - 1] ?? [];
    if (current.length >= MAX_BATCH_OPERATIONS || (current.length > 0 && bytes + operation.bytes > MAX_BATCH_BYTES)) {
      batches.push([operation.action]);
      bytes = operation.bytes;
    } else {
      current.push(operation.action);
      bytes += operation.bytes;
    }
  }
  return batches;
}
