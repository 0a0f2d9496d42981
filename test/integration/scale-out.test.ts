import { afterEach, describe, expect, it } from "vitest";
import { TaskHubClient, type OrchestrationStatus } from "../../src/index.js";
import { Fleet, shares, waitFor } from "./fleet.js";
import { connectionString, uniqueHub } from "./support.js";

const PARTITIONS = 4;
const expectedTotal = (n: number): number => [6, 30, 14, 22][n % 4] ?? -1;

async function newFleet(): Promise<{ fleet: Fleet; client: TaskHubClient }> {
  const taskHub = uniqueHub("fleet");
  const client = new TaskHubClient({ connectionString: connectionString(), taskHub, partitionCount: PARTITIONS });
  await client.list().byPage().next(); // creates the hub with its partition count
  return { fleet: new Fleet(connectionString(), taskHub, PARTITIONS), client };
}

async function startMany(client: TaskHubClient, count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, (_, offset) => start + offset);
    ids.push(...(await Promise.all(batch.map((n) => client.startOrchestration("Mixed", { instanceId: `${prefix}-${n}`, input: n })))));
  }
  return ids;
}

async function expectAllCompleted(client: TaskHubClient, ids: string[], timeoutMs: number): Promise<void> {
  const statuses: OrchestrationStatus[] = [];
  for (const id of ids) statuses.push(await client.waitForCompletion(id, { timeoutMs }));
  for (const [index, status] of statuses.entries()) {
    expect(status.runtimeStatus, status.instanceId).toBe("Completed");
    expect(status.output).toEqual({ n: index, total: expectedTotal(index) });
  }
}

describe("scale-out across worker processes", () => {
  let fleet: Fleet | undefined;
  afterEach(async () => {
    await fleet?.stopAll();
    fleet = undefined;
  });

  it("balances partitions across three workers, one owner per partition", async () => {
    const created = await newFleet();
    fleet = created.fleet;
    const started = Date.now();
    await Promise.all(["a", "b", "c"].map((name) => created.fleet.spawn(name)));
    const elapsed = await waitFor("balanced leases", 30_000, async () => {
      const counts = shares(await created.fleet.leases());
      const values = ["a", "b", "c"].map((name) => counts.get(name) ?? 0);
      const reported = [...created.fleet.workers.values()].flatMap((worker) => worker.owned);
      const balanced = Math.max(...values) - Math.min(...values) <= 1 && values.reduce((a, b) => a + b, 0) === PARTITIONS;
      return balanced && reported.length === PARTITIONS && new Set(reported).size === PARTITIONS ? Date.now() - started : undefined;
    });
    console.log(`three workers balanced ${PARTITIONS} partitions in ${elapsed} ms`);
    expect(elapsed).toBeLessThan(30_000);
  });

  it("survives a worker killed during 300 mixed orchestrations", async () => {
    const created = await newFleet();
    fleet = created.fleet;
    await Promise.all(["a", "b", "c"].map((name) => created.fleet.spawn(name)));
    const ids = await startMany(created.client, 300, "kill");
    await waitFor("activities to be running", 60_000, () => (created.fleet.runs().total >= 150 ? true : undefined));
    created.fleet.workers.get("b")?.process.kill("SIGKILL");
    const killedAt = Date.now();
    await expectAllCompleted(created.client, ids, 120_000);
    const runs = created.fleet.runs();
    console.log(`300 orchestrations completed ${Date.now() - killedAt} ms after the kill; ${runs.total} activity runs, ${runs.duplicates} duplicates`);
    // Re-runs come from the killed worker: activities it had in flight, and outbox sends it made but had not cleared.
    expect(runs.duplicates / runs.total).toBeLessThan(0.08);
    const counts = shares(await created.fleet.leases());
    expect(counts.get("b") ?? 0).toBe(0);
  });

  it("hands partitions over within seconds when a worker gets SIGTERM", async () => {
    const created = await newFleet();
    fleet = created.fleet;
    const a = await created.fleet.spawn("a");
    const b = await created.fleet.spawn("b");
    await waitFor("both workers to own partitions", 30_000, () => (a.owned.length > 0 && b.owned.length > 0 ? true : undefined));
    const ids = await startMany(created.client, 40, "term");
    const stoppedAt = Date.now();
    b.process.kill("SIGTERM");
    const exit = await b.exited;
    expect(exit.signal ?? String(exit.code)).toMatch(/SIGTERM|0/);
    const handOff = await waitFor("a to own every partition", 20_000, () => (a.owned.length === PARTITIONS ? Date.now() - stoppedAt : undefined));
    console.log(`graceful hand-off took ${handOff} ms`);
    expect(handOff).toBeLessThan(8_000);
    await expectAllCompleted(created.client, ids, 60_000);
  });

  it("lets a worker join mid-run without stopping progress", async () => {
    const created = await newFleet();
    fleet = created.fleet;
    await created.fleet.spawn("a");
    const ids = await startMany(created.client, 100, "join");
    await waitFor("some progress", 60_000, () => (created.fleet.runs().total >= 40 ? true : undefined));
    const b = await created.fleet.spawn("b");
    await waitFor("b to take partitions", 30_000, () => (b.owned.length >= 1 ? true : undefined));
    await expectAllCompleted(created.client, ids, 90_000);
    const counts = shares(await created.fleet.leases());
    expect(counts.get("a")).toBe(2);
    expect(counts.get("b")).toBe(2);
  });
});
