import { describe, expect, it } from "vitest";
import { defineOrchestration, ScaleMonitor, TaskHubClient, TaskHubWorker } from "../../src/index.js";
import { connectionString, uniqueHub } from "./support.js";

const noop = defineOrchestration("Noop", async () => "done");

describe("scale monitor", () => {
  it("recommends adding workers under a backlog and removing them when idle", async () => {
    const taskHub = uniqueHub("scale");
    const client = new TaskHubClient({ connectionString: connectionString(), taskHub });
    const monitor = new ScaleMonitor({ connectionString: connectionString(), taskHub, highLatencyMs: 300 });
    const ids = await Promise.all(Array.from({ length: 30 }, (_, n) => client.startOrchestration(noop, { instanceId: `s-${n}` })));
    // Wait until the oldest start message is older than the latency threshold (no worker runs yet).
    let backlog = await monitor.recommend(1);
    while (backlog.metrics.controlQueues.every((queue) => queue.headAgeMs < 300)) backlog = await monitor.recommend(1);
    expect(backlog.action).toBe("add");
    expect(backlog.metrics.controlQueues.reduce((sum, queue) => sum + queue.length, 0)).toBe(30);

    const worker = new TaskHubWorker({ connectionString: connectionString(), taskHub, orchestrations: [noop], maxPollingIntervalMs: 100 });
    await worker.start();
    try {
      for (const id of ids) await client.waitForCompletion(id, { timeoutMs: 30_000 });
      let idle = await monitor.recommend(1);
      while (idle.targetWorkers > 0) idle = await monitor.recommend(1);
      expect(idle).toMatchObject({ action: "remove", targetWorkers: 0 });
    } finally {
      await worker.stop();
    }
  });
});
