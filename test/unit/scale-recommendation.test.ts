import { describe, expect, it } from "vitest";
import type { ScaleMetrics } from "../../src/azure-storage/queue-metrics.js";
import { recommendScale } from "../../src/worker/scale-recommendation.js";

function metrics(workItems: [number, number], control: [number, number][]): ScaleMetrics {
  return {
    partitionCount: control.length,
    workItems: { queueName: "w", length: workItems[0], headAgeMs: workItems[1] },
    controlQueues: control.map(([length, headAgeMs], i) => ({ queueName: `c${i}`, length, headAgeMs })),
    sampledAt: new Date(0).toISOString(),
  };
}

describe("scale recommendation", () => {
  it("scales an idle hub to zero", () => {
    expect(recommendScale(metrics([0, 0], [[0, 0], [0, 0]]), 2)).toMatchObject({ action: "remove", targetWorkers: 0 });
    expect(recommendScale(metrics([0, 0], [[0, 0]]), 0).action).toBe("keep");
  });
  it("adds a first worker when work waits", () => {
    expect(recommendScale(metrics([0, 0], [[3, 10], [0, 0]]), 0)).toMatchObject({ action: "add", targetWorkers: 1 });
  });
  it("adds workers when the work-item queue falls behind", () => {
    const r = recommendScale(metrics([50, 5_000], [[0, 0]]), 2);
    expect(r.action).toBe("add");
    expect(r.targetWorkers).toBe(3);
    expect(r.reason).toMatch(/work-item queue/);
  });
  it("sizes by backlog: activities without limit, orchestrations up to one per busy partition", () => {
    expect(recommendScale(metrics([200, 0], [[0, 0]]), 1, { maxActivitiesPerWorker: 20 }).targetWorkers).toBe(10);
    expect(recommendScale(metrics([0, 0], [[900, 0], [0, 0]]), 1, { maxOrchestrationsPerWorker: 100 }).targetWorkers).toBe(1);
  });
  it("keeps a healthy fleet and removes surplus workers", () => {
    expect(recommendScale(metrics([30, 100], [[10, 50]]), 2).action).toBe("keep");
    expect(recommendScale(metrics([5, 10], [[1, 10]]), 4).action).toBe("remove");
  });
});
