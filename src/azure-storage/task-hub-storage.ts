import type { TableClient } from "@azure/data-tables";
import { InvalidArgumentError, TaskHubError } from "../core/errors.js";
import { createStorageClients, type StorageClients, type StorageConnectionOptions } from "./connection.js";
import { HistoryStore } from "./history-store.js";
import { InstanceStore } from "./instance-store.js";
import { TaskHubQueues } from "./message-queues.js";
import { taskHubNames, type TaskHubNames } from "./names.js";
import { PayloadStore } from "./payload-store.js";
import { isConflict } from "./storage-errors.js";

/** Default number of control-queue partitions of a new task hub. */
export const DEFAULT_PARTITION_COUNT = 4;

/** Options shared by the worker and the client to reach a task hub. */
export type TaskHubConnectionOptions = StorageConnectionOptions & {
  /** The task hub name: 3–45 letters and digits, starting with a letter. */
  taskHub: string;
  /**
   * Number of control-queue partitions (1–16), fixed for the life of the task hub. When omitted, the count stored
   * with an existing hub is used, or 4 for a new one; when given, it must match what storage holds.
   * @default 4 (or the stored count)
   */
  partitionCount?: number;
};

/** The hub exists with another partition count than the one configured. */
export class PartitionCountMismatchError extends TaskHubError {
  constructor(hub: string, configured: number, stored: number) {
    super(
      "TASKHUB_PARTITION_COUNT_MISMATCH",
      `Task hub "${hub}" was created with ${stored} partitions, but partitionCount is ${configured}. ` +
        `The count is fixed for the life of a hub: use ${stored}, or a new task hub name.`,
    );
  }
}

/** Checks a partition count option. */
export function validatePartitionCount(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 16) {
    throw new InvalidArgumentError("partitionCount", `must be an integer from 1 to 16 (got ${JSON.stringify(value) ?? typeof value})`);
  }
  return value;
}

const HUB_ROW = { partitionKey: "hub", rowKey: "info" };

/** Every storage resource of one task hub, created on first use. */
export class TaskHubStorage {
  readonly names: TaskHubNames;
  readonly clients: StorageClients;
  readonly payloads: PayloadStore;
  readonly history: HistoryStore;
  readonly instances: InstanceStore;
  readonly partitionsTable: TableClient;
  readonly #configuredPartitions: number | undefined;
  #queues: TaskHubQueues | undefined;
  #ready: Promise<TaskHubQueues> | undefined;
  readonly #maxDelayMs: number | undefined;

  constructor(options: TaskHubConnectionOptions & { maxTimerHopMs?: number }) {
    this.names = taskHubNames(options.taskHub);
    this.#configuredPartitions = validatePartitionCount(options.partitionCount);
    this.#maxDelayMs = options.maxTimerHopMs;
    this.clients = createStorageClients(options);
    this.payloads = new PayloadStore(this.clients.container(this.names.largeMessageContainer));
    this.history = new HistoryStore(this.clients.table(this.names.historyTable), this.payloads);
    this.instances = new InstanceStore(this.clients.table(this.names.instancesTable), this.payloads);
    this.partitionsTable = this.clients.table(this.names.partitionsTable);
  }

  /** The queues, once {@link ensure} has settled the partition count. */
  get queues(): TaskHubQueues {
    if (this.#queues === undefined) throw new TaskHubError("TASKHUB_WORKER_STATE", "task hub storage used before ensure()");
    return this.#queues;
  }

  /** Creates every resource that is missing and settles the partition count (idempotent; runs once). */
  ensure(): Promise<TaskHubQueues> {
    this.#ready ??= this.#create().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #create(): Promise<TaskHubQueues> {
    await Promise.all([
      this.#createTable(this.partitionsTable),
      this.#createTable(this.clients.table(this.names.historyTable)),
      this.#createTable(this.clients.table(this.names.instancesTable)),
      this.clients.container(this.names.largeMessageContainer).createIfNotExists(),
    ]);
    const partitionCount = await this.#settlePartitionCount();
    const queues = new TaskHubQueues(this.clients, this.names, this.payloads, {
      partitionCount,
      ...(this.#maxDelayMs === undefined ? {} : { maxDelayMs: this.#maxDelayMs }),
    });
    await Promise.all(queues.allQueueNames().map((name) => queues.client(name).createIfNotExists()));
    this.#queues = queues;
    return queues;
  }

  async #settlePartitionCount(): Promise<number> {
    const wanted = this.#configuredPartitions ?? DEFAULT_PARTITION_COUNT;
    try {
      await this.partitionsTable.createEntity({ ...HUB_ROW, PartitionCount: wanted, CreatedAt: new Date(), TaskHub: this.names.hub });
      return wanted;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const row = await this.partitionsTable.getEntity<{ PartitionCount: number }>(HUB_ROW.partitionKey, HUB_ROW.rowKey);
    const stored = Number(row.PartitionCount);
    if (this.#configuredPartitions !== undefined && stored !== this.#configuredPartitions) {
      throw new PartitionCountMismatchError(this.names.hub, this.#configuredPartitions, stored);
    }
    return stored;
  }

  async #createTable(table: TableClient): Promise<void> {
    try {
      await table.createTable();
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }

  /** Deletes every resource of the hub (queues, tables, container). Irreversible. */
  async deleteAll(): Promise<void> {
    const queues = await this.ensure();
    await Promise.all([
      ...queues.allQueueNames().map((name) => queues.client(name).deleteIfExists()),
      this.partitionsTable.deleteTable(),
      this.clients.table(this.names.historyTable).deleteTable(),
      this.clients.table(this.names.instancesTable).deleteTable(),
      this.clients.container(this.names.largeMessageContainer).deleteIfExists(),
    ]);
    this.#ready = undefined;
    this.#queues = undefined;
  }
}
