import { randomBytes } from "node:crypto";
import { availableParallelism, hostname } from "node:os";
import { TaskHubError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { partitionOf } from "../core/partition.js";
import { PartitionLeaseTable } from "../azure-storage/partition-leases.js";
import { TaskHubStorage } from "../azure-storage/task-hub-storage.js";
import { ActivityDispatcher } from "./activity-dispatcher.js";
import { EpisodeProcessor } from "./episode-processor.js";
import { InstanceCache } from "./instance-cache.js";
import { OrchestrationDispatcher } from "./orchestration-dispatcher.js";
import { PartitionLeaseLostError, PartitionManager } from "./partition-manager.js";
import { repairPendingStarts } from "./pending-start-repair.js";
import { delay } from "./poller.js";
import { Registry } from "./registry.js";
import { compileWorkerOptions, type CompiledWorkerOptions, type TaskHubWorkerOptions } from "./worker-options.js";

/** Lifecycle of a worker: `draining` while it stops (finishing in-flight work, handing partitions over). */
export type WorkerState = "created" | "starting" | "running" | "draining" | "stopped";

/** Counters a worker keeps about itself. */
export interface WorkerStats {
  /** Episodes committed or settled. */
  episodes: number;
  /** Activities executed and reported. */
  activities: number;
  instanceCacheHits: number;
  instanceCacheMisses: number;
  /** Control messages received and not yet settled. */
  bufferedMessages: number;
}

/**
 * A worker process's engine: runs orchestration episodes for the partitions it owns and activities from the shared
 * work-item queue. Any number of workers may share a task hub.
 * @example
 * const worker = new TaskHubWorker({ connectionString, taskHub: "demo", orchestrations: [hello], activities: [sayHello] });
 * await worker.start();
 * // ...
 * await worker.stop();
 */
export class TaskHubWorker {
  readonly #storage: TaskHubStorage;
  readonly #options: CompiledWorkerOptions;
  readonly #logger: Logger;
  readonly #cache: InstanceCache;
  readonly #orchestrations: OrchestrationDispatcher;
  readonly #activities: ActivityDispatcher;
  readonly #workerId: string;
  readonly #handleSignals: boolean;
  #state: WorkerState = "created";
  #abort = new AbortController();
  #partitions: PartitionManager | undefined;
  #background: Promise<void>[] = [];
  #unsubscribe: (() => void) | undefined;
  #signalHandler: ((signal: NodeJS.Signals) => void) | undefined;

  constructor(options: TaskHubWorkerOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
    this.#options = compileWorkerOptions(options, availableParallelism());
    this.#logger = options.logger ?? silentLogger;
    this.#storage = new TaskHubStorage(options);
    this.#workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.#handleSignals = options.handleSignals ?? true;
    const registry = new Registry(options.orchestrations ?? [], options.activities ?? []);
    this.#cache = new InstanceCache(this.#options.instanceCacheSize);
    const canCommit = (instanceId: string): void => {
      const partition = partitionOf(instanceId, this.#storage.queues.partitionCount);
      if (this.#partitions?.canCommit(partition) !== true) throw new PartitionLeaseLostError(partition);
    };
    const processor = new EpisodeProcessor(this.#storage, this.#cache, registry, this.#logger, canCommit);
    this.#orchestrations = new OrchestrationDispatcher(this.#storage, processor, this.#options, this.#logger);
    this.#activities = new ActivityDispatcher(this.#storage, registry, this.#options, this.#logger);
  }

  /** Where the worker is in its lifecycle. */
  get state(): WorkerState {
    return this.#state;
  }

  /** This worker's id in the partition lease table. */
  get workerId(): string {
    return this.#workerId;
  }

  /** Partitions (control-queue indexes) this worker currently processes. */
  get ownedPartitions(): readonly number[] {
    return this.#partitions?.owned ?? [];
  }

  /** Counters about the work done so far. */
  get stats(): WorkerStats {
    return {
      episodes: this.#orchestrations.episodes,
      activities: this.#activities.executed,
      instanceCacheHits: this.#cache.hits,
      instanceCacheMisses: this.#cache.misses,
      bufferedMessages: this.#orchestrations.buffered,
    };
  }

  /** Creates missing storage resources, takes a share of the partitions and starts processing. */
  async start(): Promise<void> {
    if (this.#state !== "created") throw new TaskHubError("TASKHUB_WORKER_STATE", `start() called on a worker that is ${this.#state}`);
    this.#state = "starting";
    try {
      const queues = await this.#storage.ensure();
      this.#abort = new AbortController();
      const signal = this.#abort.signal;
      this.#unsubscribe = queues.onSend((queueName) => {
        if (queueName === queues.names.workItemQueue) this.#activities.wake();
        else this.#orchestrations.wake(queueName);
      });
      const leases = new PartitionLeaseTable(this.#storage.partitionsTable, queues.partitionCount);
      this.#partitions = new PartitionManager(leases, this.#workerId, this.#options, {
        listen: (partition) => this.#orchestrations.listen(queues.names.controlQueue(partition)),
        unlisten: (partition) => this.#orchestrations.unlisten(queues.names.controlQueue(partition)),
      }, this.#logger);
      await this.#partitions.start();
      this.#activities.start(signal);
      this.#background.push(this.#repairLoop(signal));
      this.#installSignalHandlers();
      this.#state = "running";
      this.#logger.info("worker started", { taskHub: queues.names.hub, workerId: this.#workerId, partitions: this.ownedPartitions });
    } catch (error) {
      this.#state = "stopped";
      throw error;
    }
  }

  /**
   * Stops receiving, lets in-flight episodes and activities finish within `shutdownGraceMs`, makes waiting messages
   * visible again, releases the partitions so other workers take them at once, and resolves when done.
   */
  async stop(): Promise<void> {
    if (this.#state === "stopped" || this.#state === "created") {
      this.#state = "stopped";
      return;
    }
    if (this.#state === "draining") return;
    this.#state = "draining";
    this.#abort.abort();
    await Promise.all([
      this.#partitions?.stop(this.#options.shutdownGraceMs),
      this.#activities.drain(this.#options.shutdownGraceMs),
      ...this.#background,
    ]);
    this.#unsubscribe?.();
    this.#removeSignalHandlers();
    this.#state = "stopped";
    this.#logger.info("worker stopped", { workerId: this.#workerId });
  }

  #installSignalHandlers(): void {
    if (!this.#handleSignals) return;
    this.#signalHandler = (signal) => {
      this.#logger.info("signal received; stopping", { signal, workerId: this.#workerId });
      void this.stop().finally(() => {
        // Let the signal do what it would have done without us, unless the application handles it too.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    };
    process.once("SIGTERM", this.#signalHandler);
    process.once("SIGINT", this.#signalHandler);
  }

  #removeSignalHandlers(): void {
    if (this.#signalHandler === undefined) return;
    process.removeListener("SIGTERM", this.#signalHandler);
    process.removeListener("SIGINT", this.#signalHandler);
    this.#signalHandler = undefined;
  }

  async #repairLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await delay(this.#options.pendingStartRepairIntervalMs, signal);
      if (signal.aborted) break;
      try {
        await repairPendingStarts(this.#storage, this.#options.pendingStartGraceMs, this.#logger);
      } catch (error) {
        this.#logger.warn("pending-start repair failed", { error: String(error) });
      }
    }
  }
}
