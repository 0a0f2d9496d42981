import { availableParallelism } from "node:os";
import { TaskHubError } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { TaskHubStorage } from "../azure-storage/task-hub-storage.js";
import { ActivityDispatcher } from "./activity-dispatcher.js";
import { EpisodeProcessor } from "./episode-processor.js";
import { InstanceCache } from "./instance-cache.js";
import { OrchestrationDispatcher } from "./orchestration-dispatcher.js";
import { repairPendingStarts } from "./pending-start-repair.js";
import { delay } from "./poller.js";
import { Registry } from "./registry.js";
import { compileWorkerOptions, type CompiledWorkerOptions, type TaskHubWorkerOptions } from "./worker-options.js";

/** Lifecycle of a worker. */
export type WorkerState = "created" | "starting" | "running" | "stopping" | "stopped";

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
  #state: WorkerState = "created";
  #abort = new AbortController();
  #ownedPartitions: number[] = [];
  #background: Promise<void>[] = [];
  #unsubscribe: (() => void) | undefined;

  constructor(options: TaskHubWorkerOptions) {
    if (typeof options !== "object" || options === null) throw new TypeError("options must be an object");
    this.#options = compileWorkerOptions(options, availableParallelism());
    this.#logger = options.logger ?? silentLogger;
    this.#storage = new TaskHubStorage(options);
    const registry = new Registry(options.orchestrations ?? [], options.activities ?? []);
    this.#cache = new InstanceCache(this.#options.instanceCacheSize);
    const processor = new EpisodeProcessor(this.#storage, this.#cache, registry, this.#logger);
    this.#orchestrations = new OrchestrationDispatcher(this.#storage, processor, this.#options, this.#logger);
    this.#activities = new ActivityDispatcher(this.#storage, registry, this.#options, this.#logger);
  }

  /** Where the worker is in its lifecycle. */
  get state(): WorkerState {
    return this.#state;
  }

  /** Partitions (control-queue indexes) this worker currently processes. */
  get ownedPartitions(): readonly number[] {
    return this.#ownedPartitions;
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

  /** Creates missing storage resources and starts processing. Resolves once the worker is receiving. */
  async start(): Promise<void> {
    if (this.#state !== "created") throw new TaskHubError("TASKHUB_WORKER_STATE", `start() called on a worker that is ${this.#state}`);
    this.#state = "starting";
    try {
      const queues = await this.#storage.ensure();
      this.#abort = new AbortController();
      const signal = this.#abort.signal;
      // One worker owns every partition here; partition leasing across a fleet plugs in at this seam.
      this.#ownedPartitions = Array.from({ length: queues.partitionCount }, (_, partition) => partition);
      const controlQueues = this.#ownedPartitions.map((partition) => queues.names.controlQueue(partition));
      this.#unsubscribe = queues.onSend((queueName) => {
        if (queueName === queues.names.workItemQueue) this.#activities.wake();
        else this.#orchestrations.wake(queueName);
      });
      this.#orchestrations.start(controlQueues, signal);
      this.#activities.start(signal);
      this.#background.push(this.#repairLoop(signal));
      this.#state = "running";
      this.#logger.info("worker started", { taskHub: queues.names.hub, partitions: this.#ownedPartitions });
    } catch (error) {
      this.#state = "stopped";
      throw error;
    }
  }

  /**
   * Stops receiving, lets in-flight episodes and activities finish within `shutdownGraceMs`, makes everything else
   * visible again for other workers, and resolves when done.
   */
  async stop(): Promise<void> {
    if (this.#state === "stopped" || this.#state === "created") {
      this.#state = "stopped";
      return;
    }
    if (this.#state === "stopping") return;
    this.#state = "stopping";
    this.#abort.abort();
    await this.#orchestrations.stopped();
    await this.#orchestrations.abandonBuffered();
    await Promise.all([
      this.#orchestrations.idle(),
      this.#activities.drain(this.#options.shutdownGraceMs),
      ...this.#background,
    ]);
    this.#unsubscribe?.();
    this.#ownedPartitions = [];
    this.#state = "stopped";
    this.#logger.info("worker stopped");
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
