import { describe, expect, it } from "vitest";
import { defineActivity, defineOrchestration, silentLogger, TaskHubClient } from "../../src/index.js";
import type { ControlMessage } from "../../src/core/messages.js";
import { TaskHubStorage } from "../../src/azure-storage/task-hub-storage.js";
import { EpisodeProcessor, type ControlDelivery } from "../../src/worker/episode-processor.js";
import { InstanceCache } from "../../src/worker/instance-cache.js";
import { Registry } from "../../src/worker/registry.js";
import { connectionString, uniqueHub } from "./support.js";

const step = defineActivity("Step", async (n: number) => n + 1);
const twoSteps = defineOrchestration("TwoSteps", async (ctx) => {
  const a = await ctx.callActivity(step, 1);
  return ctx.callActivity(step, a);
});

/** Two workers that both believe they own the instance's partition: separate storage clients and caches. */
async function twoProcessors(taskHub: string): Promise<{ storage: TaskHubStorage; processors: EpisodeProcessor[] }> {
  const registry = new Registry([twoSteps], [step]);
  const storages = [0, 1].map(() => new TaskHubStorage({ connectionString: connectionString(), taskHub }));
  await Promise.all(storages.map((storage) => storage.ensure()));
  return {
    storage: storages[0]!,
    processors: storages.map((storage) => new EpisodeProcessor(storage, new InstanceCache(10), registry, silentLogger, () => undefined)),
  };
}

async function receiveAll(storage: TaskHubStorage, queueName: string): Promise<ControlDelivery[]> {
  const received = await storage.queues.receive(queueName, 32, 30);
  const deliveries: ControlDelivery[] = [];
  for (const message of received) {
    const decoded = await storage.queues.decode(message);
    if (decoded.ok) deliveries.push({ received: message, message: decoded.message as ControlMessage });
  }
  return deliveries;
}

async function workItemCount(storage: TaskHubStorage): Promise<number> {
  return (await storage.queues.client(storage.names.workItemQueue).getProperties()).approximateMessagesCount ?? -1;
}

describe("split brain", () => {
  it("lets exactly one of two owners commit, and the loser sends nothing", async () => {
    const taskHub = uniqueHub("split");
    const client = new TaskHubClient({ connectionString: connectionString(), taskHub, partitionCount: 1 });
    await client.list().byPage().next(); // creates the hub with one partition
    const { storage, processors } = await twoProcessors(taskHub);
    const id = await client.startOrchestration(twoSteps, { instanceId: "contested" });
    const control = storage.names.controlQueue(0);

    // Episode 1 (new instance): both process the start message at once.
    const starts = await receiveAll(storage, control);
    expect(starts).toHaveLength(1);
    const first = await Promise.allSettled(processors.map((processor) => processor.process(id, starts.map((d) => ({ ...d, received: { ...d.received } })))));
    expect(first.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await workItemCount(storage)).toBe(1);

    // Episode 2 (existing history): the activity result reaches both; the eTag lets one commit.
    const work = await storage.queues.receive(storage.names.workItemQueue, 32, 30);
    expect(work).toHaveLength(1);
    await storage.queues.send({ kind: "control", id: "result-1", instanceId: id, executionId: (await client.getStatus(id))!.executionId, event: { type: "TaskCompleted", taskId: 0, result: "2", timestamp: new Date().toISOString() } });
    await storage.queues.delete(work[0]!);
    const results = await receiveAll(storage, control);
    const second = await Promise.allSettled(processors.map((processor) => processor.process(id, results.map((d) => ({ ...d, received: { ...d.received } })))));
    expect(second.filter((result) => result.status === "fulfilled").length).toBeGreaterThanOrEqual(1);
    expect(await workItemCount(storage)).toBe(1);

    const status = await client.getStatus(id, { includeHistory: true });
    const scheduled = status?.history?.filter((event) => event.type === "TaskScheduled") ?? [];
    expect(scheduled.map((event) => (event.type === "TaskScheduled" ? event.taskId : -1))).toEqual([0, 1]);
    expect(status?.history?.filter((event) => event.type === "ExecutionStarted")).toHaveLength(1);
  });
});
