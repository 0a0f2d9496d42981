import type { ScaleMetrics } from "../azure-storage/queue-metrics.js";

/** Thresholds of the recommendation. */
export interface ScaleThresholds {
  /**
   * Work items one worker is expected to run at once.
   * @default 20
   */
  maxActivitiesPerWorker?: number;
  /**
   * Control messages one worker is expected to process at once.
   * @default 100
   */
  maxOrchestrationsPerWorker?: number;
  /**
   * A queue whose oldest visible message is at least this old is falling behind.
   * @default 1000
   */
  highLatencyMs?: number;
}

/** What to do with the fleet, why, and the numbers behind it. */
export interface ScaleRecommendation {
  action: "add" | "remove" | "keep";
  /** Workers the backlog calls for (0 when everything is idle). */
  targetWorkers: number;
  currentWorkers: number;
  reason: string;
  metrics: ScaleMetrics;
}

/**
 * Recommends a fleet size from queue lengths and head-message ages, in the spirit of the original's scale
 * controller and target-based scaling: activities scale without limit, orchestrations up to one worker per busy
 * partition; a queue falling behind adds a worker; an idle hub scales to zero.
 */
export function recommendScale(metrics: ScaleMetrics, currentWorkers: number, thresholds: ScaleThresholds = {}): ScaleRecommendation {
  const perActivities = thresholds.maxActivitiesPerWorker ?? 20;
  const perOrchestrations = thresholds.maxOrchestrationsPerWorker ?? 100;
  const highLatencyMs = thresholds.highLatencyMs ?? 1000;
  const busyControl = metrics.controlQueues.filter((queue) => queue.length > 0);
  const controlBacklog = busyControl.reduce((sum, queue) => sum + queue.length, 0);
  const activityTarget = Math.ceil(metrics.workItems.length / perActivities);
  const orchestrationTarget = Math.min(busyControl.length, Math.ceil(controlBacklog / perOrchestrations));
  let target = Math.max(activityTarget, orchestrationTarget);
  const lagging = [metrics.workItems, ...metrics.controlQueues].filter((queue) => queue.headAgeMs >= highLatencyMs);
  const result = (action: ScaleRecommendation["action"], reason: string): ScaleRecommendation => ({ action, targetWorkers: target, currentWorkers, reason, metrics });

  if (target === 0 && lagging.length === 0) {
    return currentWorkers > 0 ? result("remove", "every queue is empty: the hub is idle") : result("keep", "idle, and no worker is running");
  }
  if (currentWorkers === 0) {
    target = Math.max(target, 1);
    return result("add", "work is waiting and no worker is running");
  }
  const workItemsLag = metrics.workItems.headAgeMs >= highLatencyMs;
  const controlLag = metrics.controlQueues.filter((queue) => queue.headAgeMs >= highLatencyMs).length;
  if (workItemsLag || controlLag > currentWorkers) {
    target = Math.max(target, currentWorkers + 1);
    const which = workItemsLag ? `the work-item queue's oldest message is ${metrics.workItems.headAgeMs} ms old` : `${controlLag} control queues are falling behind`;
    return result("add", `${which} (threshold ${highLatencyMs} ms)`);
  }
  if (target > currentWorkers) return result("add", `the backlog calls for ${target} workers (${metrics.workItems.length} work items, ${controlBacklog} control messages)`);
  if (target < currentWorkers && lagging.length === 0) return result("remove", `the backlog needs only ${target} workers and no queue is falling behind`);
  return result("keep", "queue latencies are healthy");
}
