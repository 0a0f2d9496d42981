import { sampleScaleMetrics, type ScaleMetrics } from "../azure-storage/queue-metrics.js";
import { TaskHubStorage, type TaskHubConnectionOptions } from "../azure-storage/task-hub-storage.js";
import { recommendScale, type ScaleRecommendation, type ScaleThresholds } from "../worker/scale-recommendation.js";

/** Options of a {@link ScaleMonitor}. */
export type ScaleMonitorOptions = TaskHubConnectionOptions & ScaleThresholds;

/**
 * Reads a task hub's queue lengths and head-message ages and recommends adding, removing or keeping workers.
 * Run it from an autoscaler, a timer function, or `taskhub scale --workers N`.
 */
export class ScaleMonitor {
  readonly #storage: TaskHubStorage;
  readonly #thresholds: ScaleThresholds;

  constructor(options: ScaleMonitorOptions) {
    this.#storage = new TaskHubStorage(options);
    this.#thresholds = options;
  }

  /** Samples every queue of the hub. */
  async sample(): Promise<ScaleMetrics> {
    return sampleScaleMetrics(await this.#storage.ensure());
  }

  /** Samples the queues and recommends what to do with a fleet of `currentWorkers`. */
  async recommend(currentWorkers: number): Promise<ScaleRecommendation> {
    return recommendScale(await this.sample(), currentWorkers, this.#thresholds);
  }
}
