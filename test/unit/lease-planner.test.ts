import { describe, expect, it } from "vitest";
import type { PartitionLease } from "../../src/azure-storage/partition-leases.js";
import { planLeases } from "../../src/worker/lease-planner.js";

/** Simulates workers taking turns against one lease table; draining finishes one round after it starts. */
function simulate(partitions: number, workers: string[], rounds: number, options: { stopping?: Set<string>; start?: PartitionLease[] } = {}) {
  let leases: PartitionLease[] = options.start ?? Array.from({ length: partitions }, (_, partition) => ({ partition, owner: undefined, nextOwner: undefined, ownedSince: undefined, expiresAt: undefined, epoch: 0, etag: "0" }));
  const draining = new Map<string, Set<number>>(workers.map((w) => [w, new Set<number>()]));
  const listening = new Map<string, Set<number>>(workers.map((w) => [w, new Set<number>()]));
  let now = 0;
  for (let round = 0; round < rounds; round++) {
    for (const me of workers) {
      now += 100;
      const plan = planLeases({ leases, me, now: new Date(now), leaseDurationMs: 10_000, drained: draining.get(me)!, stopping: options.stopping?.has(me) ?? false });
      const byPartition = new Map(plan.writes.map((lease) => [lease.partition, lease]));
      leases = leases.map((lease) => byPartition.get(lease.partition) ?? lease);
      for (const p of plan.claimed) listening.get(me)!.add(p);
      for (const p of plan.drain) {
        listening.get(me)!.delete(p);
        draining.get(me)!.add(p);
      }
      for (const p of plan.released) draining.get(me)!.delete(p);
    }
  }
  return { leases, listening };
}

describe("lease planner", () => {
  it("balances 4 partitions over 3 workers within a few rounds, one listener per partition", () => {
    const { leases, listening } = simulate(4, ["a", "b", "c"], 8);
    const counts = ["a", "b", "c"].map((w) => leases.filter((l) => l.owner === w).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(counts.reduce((s, n) => s + n, 0)).toBe(4);
    for (let p = 0; p < 4; p++) {
      expect(["a", "b", "c"].filter((w) => listening.get(w)!.has(p))).toHaveLength(1);
    }
  });

  it("balances 16 partitions over 5 workers", () => {
    const workers = ["a", "b", "c", "d", "e"];
    const { leases } = simulate(16, workers, 30);
    const counts = workers.map((w) => leases.filter((l) => l.owner === w).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it("releases everything when stopping, and another worker takes over", () => {
    const first = simulate(4, ["a", "b"], 6);
    const { leases } = simulate(4, ["a", "b"], 4, { stopping: new Set(["a"]), start: first.leases });
    expect(leases.every((l) => l.owner === "b")).toBe(true);
  });

  it("claims expired leases of a dead worker", () => {
    const expired: PartitionLease[] = [0, 1].map((partition) => ({ partition, owner: "dead", nextOwner: undefined, ownedSince: new Date(0), expiresAt: new Date(50), epoch: 3, etag: "x" }));
    const plan = planLeases({ leases: expired, me: "a", now: new Date(100), leaseDurationMs: 1000, drained: new Set(), stopping: false });
    expect(plan.claimed).toEqual([0, 1]);
    expect(plan.writes.every((l) => l.owner === "a" && l.epoch === 4)).toBe(true);
  });

  it("keeps renewing while draining and releases only once drained", () => {
    const lease: PartitionLease = { partition: 0, owner: "a", nextOwner: "b", ownedSince: new Date(0), expiresAt: new Date(5_000), epoch: 1, etag: "x" };
    const draining = planLeases({ leases: [lease], me: "a", now: new Date(1_000), leaseDurationMs: 10_000, drained: new Set(), stopping: false });
    expect(draining.drain).toEqual([0]);
    expect(draining.writes[0]).toMatchObject({ owner: "a", nextOwner: "b", expiresAt: new Date(11_000) });
    const released = planLeases({ leases: [lease], me: "a", now: new Date(1_000), leaseDurationMs: 10_000, drained: new Set([0]), stopping: false });
    expect(released.released).toEqual([0]);
    expect(released.writes[0]).toMatchObject({ owner: undefined, nextOwner: "b" });
  });
});
