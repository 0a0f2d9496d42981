import { TableClient } from "@azure/data-tables";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineActivity, defineOrchestration } from "../../src/index.js";
import { escapeKey } from "../../src/azure-storage/names.js";
import { connectionString, startHarness, type Harness } from "./support.js";

const double = defineActivity("Double", async (n: number) => n * 2);
const awaitsGreeting = defineOrchestration("AwaitsGreeting", async (ctx) => {
  const greeting = await ctx.waitForExternalEvent<string>("greeting");
  return { greeting, startedAt: ctx.currentUtcDateTime.toISOString() };
});
const wide = defineOrchestration("Wide", async (ctx, n: number) => {
  const results = await Promise.all(Array.from({ length: n }, (_, i) => ctx.callActivity(double, i)));
  return results.reduce((sum, value) => sum + value, 0);
});

describe("commit protocol", () => {
  let hub: Harness;
  let history: TableClient;
  beforeAll(async () => {
    hub = await startHarness({ orchestrations: [wide, awaitsGreeting], activities: [double] });
    history = TableClient.fromConnectionString(connectionString(), `${hub.taskHub}History`, { allowInsecureConnection: true });
  });
  afterAll(() => hub.stop());

  it("splits a large episode over several transactions and leaves no outbox rows behind", async () => {
    const id = await hub.client.startOrchestration(wide, { input: 230 });
    const status = await hub.client.waitForCompletion(id, { timeoutMs: 60_000 });
    expect(status.output).toBe(2 * ((229 * 230) / 2));
    const rowKeys: string[] = [];
    for await (const row of history.listEntities({ queryOptions: { filter: `PartitionKey eq '${escapeKey(id)}'` } })) rowKeys.push(row.rowKey ?? "");
    expect(rowKeys.filter((key) => key.startsWith("outbox-"))).toEqual([]);
    expect(rowKeys).toContain("sentinel");
  });

  it("recovers from a first commit that died after its first transaction (placeholder sentinel)", async () => {
    const id = "placeholder-1";
    // What an interrupted multi-transaction first commit leaves: a placeholder sentinel and rows beyond it.
    await history.createEntity({ partitionKey: id, rowKey: "sentinel", ExecutionId: "lost", RuntimeStatus: "Pending", FirstPosition: 0, HistoryLength: 0, Checkpoint: 0, PendingCheckpoint: 1 });
    await history.createEntity({ partitionKey: id, rowKey: "0000000000000000", ExecutionId: "lost", EventType: "OrchestratorStarted", Event: "{}" });
    await hub.client.startOrchestration(wide, { instanceId: id, input: 3 });
    const status = await hub.client.waitForCompletion(id, { timeoutMs: 30_000 });
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toBe(6);
  });

  it("holds an event raised before a delayed start until the instance starts", async () => {
    const startAt = new Date(Date.now() + 2_000);
    const id = await hub.client.startOrchestration(awaitsGreeting, { startAt });
    expect((await hub.client.getStatus(id))?.runtimeStatus).toBe("Pending");
    await hub.client.raiseEvent(id, "greeting", "early hello");
    const status = await hub.client.waitForCompletion(id, { timeoutMs: 30_000 });
    const output = status.output as { greeting: string; startedAt: string };
    expect(output.greeting).toBe("early hello");
    expect(Date.parse(output.startedAt)).toBeGreaterThanOrEqual(startAt.getTime() - 1_000);
    expect(status.scheduledStartTime?.toISOString()).toBe(startAt.toISOString());
  });
});
