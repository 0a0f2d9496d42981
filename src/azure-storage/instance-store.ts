import type { TableClient, TableEntityResult } from "@azure/data-tables";
import type { FailureDetails } from "../core/failure.js";
import type { ExecutionStartedEvent } from "../core/history.js";
import type { InstanceProjection, RuntimeStatus } from "../core/status.js";
import { escapeKey, odataString } from "./names.js";
import type { PayloadStore } from "./payload-store.js";
import { isConcurrencyConflict, isNotFound } from "./storage-errors.js";
import { getTextColumn, setTextColumn, storedColumn, type EntityColumns } from "./table-payloads.js";

const ROW_KEY = "";
const PAYLOAD_COLUMNS = ["Input", "Output", "CustomStatus", "FailureDetails", "StartEvent"] as const;

/** An Instances row as read back (payloads still JSON text). */
export interface InstanceRecord {
  projection: InstanceProjection;
  /** The queued start of a Pending instance: the message id and event, for repair. */
  pendingStart: { messageId: string; event: ExecutionStartedEvent } | undefined;
  /** Commit count of the history that wrote the row (stale writes never win). */
  checkpoint: number;
  etag: string;
  blobs: string[];
}

/** A filter for {@link InstanceStore.query}. */
export interface InstanceQuery {
  runtimeStatus?: readonly RuntimeStatus[];
  createdFrom?: Date;
  createdTo?: Date;
  name?: string;
  instanceIdPrefix?: string;
}

/**
 * The Instances table: one row per instance (PartitionKey = escaped instance id, RowKey = ""), the queryable status
 * projection. Written by clients when they request a start, and by workers after each commit, guarded by the
 * history checkpoint so a late writer never overwrites a newer status.
 */
export class InstanceStore {
  readonly #table: TableClient;
  readonly #payloads: PayloadStore;

  constructor(table: TableClient, payloads: PayloadStore) {
    this.#table = table;
    this.#payloads = payloads;
  }

  /** Reads one instance's row; `undefined` when there is none. */
  async get(instanceId: string, options: { payloads?: boolean } = {}): Promise<InstanceRecord | undefined> {
    try {
      const entity = await this.#table.getEntity<EntityColumns>(escapeKey(instanceId), ROW_KEY);
      return await this.#toRecord(entity, options.payloads ?? true);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Records a start request as a Pending row before its message is sent (insert, or replace a finished instance's
   * row by eTag). Returns `false` when another writer got there first.
   */
  async writePendingStart(projection: InstanceProjection, start: { messageId: string; event: ExecutionStartedEvent }, existing: InstanceRecord | undefined): Promise<boolean> {
    const entity = await this.#toEntity(projection, existing?.checkpoint ?? 0);
    await setTextColumn(entity, "StartEvent", JSON.stringify(start.event), this.#payloads, escapeKey(projection.instanceId));
    entity.StartMessageId = start.messageId;
    try {
      if (existing === undefined) await this.#table.createEntity(entity as { partitionKey: string; rowKey: string });
      else await this.#table.updateEntity(entity as { partitionKey: string; rowKey: string }, "Replace", { etag: existing.etag });
      return true;
    } catch (error) {
      if (isConcurrencyConflict(error)) return false;
      throw error;
    }
  }

  /**
   * Writes a worker's projection unless the row already shows a newer checkpoint or a newer start request.
   * `known` is the row as last seen (saves a read); returns the row as written, or `undefined` when skipped.
   */
  async writeProjection(projection: InstanceProjection, checkpoint: number, known: InstanceRecord | undefined): Promise<InstanceRecord | undefined> {
    let current = known;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (current !== undefined && isStale(current, checkpoint)) return undefined;
      const entity = await this.#toEntity(projection, checkpoint);
      try {
        const response =
          current === undefined
            ? await this.#table.createEntity(entity as { partitionKey: string; rowKey: string })
            : await this.#table.updateEntity(entity as { partitionKey: string; rowKey: string }, "Replace", { etag: current.etag });
        const blobs = PAYLOAD_COLUMNS.map((column) => storedColumn(entity, column)?.blob).filter((blob): blob is string => blob !== undefined);
        const orphaned = (current?.blobs ?? []).filter((blob) => !blobs.includes(blob));
        if (orphaned.length > 0) await this.#payloads.delete(orphaned);
        return { projection, pendingStart: undefined, checkpoint, etag: response.etag ?? "", blobs };
      } catch (error) {
        if (!isConcurrencyConflict(error) && !(current !== undefined && isNotFound(error))) throw error;
        current = await this.get(projection.instanceId, { payloads: false });
      }
    }
    throw new Error(`could not write the status of instance "${projection.instanceId}" after 5 attempts`);
  }

  /** Deletes the row (any eTag). Returns whether it existed. */
  async delete(instanceId: string): Promise<boolean> {
    try {
      await this.#table.deleteEntity(escapeKey(instanceId), ROW_KEY);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Queries rows page by page; status, time and name filters are evaluated by the service. */
  async *queryPages(query: InstanceQuery, settings: { continuationToken?: string; maxPageSize?: number; payloads?: boolean } = {}): AsyncGenerator<{ records: InstanceRecord[]; continuationToken: string | undefined }> {
    const filter = toFilter(query);
    const pages = this.#table
      .listEntities<EntityColumns>({ queryOptions: filter === "" ? {} : { filter } })
      .byPage({ ...(settings.maxPageSize === undefined ? {} : { maxPageSize: settings.maxPageSize }), ...(settings.continuationToken === undefined ? {} : { continuationToken: settings.continuationToken }) });
    for await (const page of pages) {
      const records = await Promise.all(page.map((entity) => this.#toRecord(entity, settings.payloads ?? true)));
      yield { records, continuationToken: page.continuationToken };
    }
  }

  async #toEntity(projection: InstanceProjection, checkpoint: number): Promise<EntityColumns> {
    const owner = escapeKey(projection.instanceId);
    const entity: EntityColumns = {
      partitionKey: owner,
      rowKey: ROW_KEY,
      InstanceId: projection.instanceId,
      Name: projection.name,
      Version: projection.version ?? null,
      ExecutionId: projection.executionId,
      RuntimeStatus: projection.runtimeStatus,
      CreatedTime: new Date(projection.createdTime),
      LastUpdatedTime: new Date(projection.lastUpdatedTime),
      CompletedTime: projection.completedTime === undefined ? null : new Date(projection.completedTime),
      ScheduledStartTime: projection.scheduledStartTime === undefined ? null : new Date(projection.scheduledStartTime),
      Tags: projection.tags === undefined ? null : JSON.stringify(projection.tags),
      Generation: projection.generation,
      ParentInstanceId: projection.parentInstanceId ?? null,
      Checkpoint: checkpoint,
      StartMessageId: null,
    };
    await setTextColumn(entity, "Input", projection.input, this.#payloads, owner);
    await setTextColumn(entity, "Output", projection.output, this.#payloads, owner);
    await setTextColumn(entity, "CustomStatus", projection.customStatus, this.#payloads, owner);
    await setTextColumn(entity, "FailureDetails", projection.failureDetails === undefined ? undefined : JSON.stringify(projection.failureDetails), this.#payloads, owner);
    await setTextColumn(entity, "StartEvent", undefined, this.#payloads, owner);
    return entity;
  }

  async #toRecord(entity: TableEntityResult<EntityColumns>, loadPayloads: boolean): Promise<InstanceRecord> {
    const text = async (column: string): Promise<string | undefined> => (loadPayloads ? getTextColumn(entity, column, this.#payloads) : undefined);
    const date = (value: unknown): string | undefined => (value instanceof Date ? value.toISOString() : typeof value === "string" ? new Date(value).toISOString() : undefined);
    const projection: InstanceProjection = {
      instanceId: String(entity.InstanceId),
      executionId: String(entity.ExecutionId),
      name: String(entity.Name),
      runtimeStatus: String(entity.RuntimeStatus) as RuntimeStatus,
      createdTime: date(entity.CreatedTime) ?? new Date(0).toISOString(),
      lastUpdatedTime: date(entity.LastUpdatedTime) ?? new Date(0).toISOString(),
      generation: Number(entity.Generation ?? 0),
    };
    const optional: Partial<InstanceProjection> = {
      version: typeof entity.Version === "string" ? entity.Version : undefined,
      input: await text("Input"),
      output: await text("Output"),
      customStatus: await text("CustomStatus"),
      completedTime: date(entity.CompletedTime),
      scheduledStartTime: date(entity.ScheduledStartTime),
      tags: typeof entity.Tags === "string" ? (JSON.parse(entity.Tags) as Record<string, string>) : undefined,
      parentInstanceId: typeof entity.ParentInstanceId === "string" ? entity.ParentInstanceId : undefined,
    };
    const failureText = await getTextColumn(entity, "FailureDetails", this.#payloads);
    if (failureText !== undefined) optional.failureDetails = JSON.parse(failureText) as FailureDetails;
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) (projection as unknown as Record<string, unknown>)[key] = value;
    const startText = typeof entity.StartMessageId === "string" ? await getTextColumn(entity, "StartEvent", this.#payloads) : undefined;
    const blobs = PAYLOAD_COLUMNS.map((column) => storedColumn(entity, column)?.blob).filter((blob): blob is string => blob !== undefined);
    return {
      projection,
      pendingStart: startText === undefined ? undefined : { messageId: String(entity.StartMessageId), event: JSON.parse(startText) as ExecutionStartedEvent },
      checkpoint: Number(entity.Checkpoint ?? 0),
      etag: entity.etag,
      blobs,
    };
  }
}

/**
 * A worker's write is stale when the row already carries its checkpoint or a later one. A client's start request
 * for a new execution copies the checkpoint of the finished row it replaces, so late writes of the old execution
 * lose to it too.
 */
function isStale(current: InstanceRecord, checkpoint: number): boolean {
  return current.checkpoint >= checkpoint;
}

function toFilter(query: InstanceQuery): string {
  const clauses: string[] = [];
  if (query.runtimeStatus !== undefined && query.runtimeStatus.length > 0) {
    clauses.push(`(${query.runtimeStatus.map((status) => `RuntimeStatus eq ${odataString(status)}`).join(" or ")})`);
  }
  if (query.createdFrom !== undefined) clauses.push(`CreatedTime ge datetime'${query.createdFrom.toISOString()}'`);
  if (query.createdTo !== undefined) clauses.push(`CreatedTime le datetime'${query.createdTo.toISOString()}'`);
  if (query.name !== undefined) clauses.push(`Name eq ${odataString(query.name)}`);
  if (query.instanceIdPrefix !== undefined && query.instanceIdPrefix !== "") {
    const prefix = escapeKey(query.instanceIdPrefix);
    const last = prefix.charCodeAt(prefix.length - 1);
    const upper = prefix.slice(0, -1) + String.fromCharCode(last + 1);
    clauses.push(`PartitionKey ge ${odataString(prefix)} and PartitionKey lt ${odataString(upper)}`);
  }
  return clauses.join(" and ");
}
