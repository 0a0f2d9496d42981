import type { PartitionLease } from "../azure-storage/partition-leases.js";

/** What one round of the partition manager knows. */
export interface LeasePlanInput {
  leases: readonly PartitionLease[];
  /** This worker's id. */
  me: string;
  now: Date;
  leaseDurationMs: number;
  /** Partitions this worker is draining and has finished draining (ready to release). */
  drained: ReadonlySet<number>;
  /** True while the worker shuts down: release everything, claim nothing. */
  stopping: boolean;
}

/** The decisions of one round: rows to write, and what to start or stop locally once the write succeeded. */
export interface LeasePlan {
  /** Changed leases (write them with their eTags, in one transaction). */
  writes: PartitionLease[];
  /** Partitions to start listening to after the write. */
  claimed: number[];
  /** Partitions to stop listening to and drain (someone asked for them, or the worker stops). */
  drain: number[];
  /** Partitions released by this round's write. */
  released: number[];
}

const isExpired = (lease: PartitionLease, now: Date): boolean => lease.expiresAt !== undefined && lease.expiresAt.getTime() <= now.getTime();

/**
 * Plans one round of partition ownership (pure): renew what this worker owns, drain and release what another
 * worker asked for, claim free or expired partitions up to a fair share, and ask the most loaded owner for one
 * partition when this worker has at least two fewer. Repeated by every worker, this converges to shares that differ
 * by at most one.
 */
export function planLeases(input: LeasePlanInput): LeasePlan {
  const { me, now } = input;
  const plan: LeasePlan = { writes: [], claimed: [], drain: [], released: [] };
  const expiresAt = new Date(now.getTime() + input.leaseDurationMs);
  const total = input.leases.length;

  // Who holds (or is about to hold) what: a partition being handed over counts for its next owner.
  const counts = new Map<string, number>([[me, 0]]);
  for (const lease of input.leases) {
    const holder = lease.nextOwner ?? (lease.owner !== undefined && !isExpired(lease, now) ? lease.owner : undefined);
    if (holder !== undefined) counts.set(holder, (counts.get(holder) ?? 0) + 1);
  }
  const workers = counts.size;
  const fairShare = Math.ceil(total / workers);
  let mine = counts.get(me) ?? 0;

  for (const lease of input.leases) {
    if (lease.owner === me && !isExpired(lease, now)) {
      const handOver = input.stopping || (lease.nextOwner !== undefined && lease.nextOwner !== me);
      if (!handOver) {
        plan.writes.push({ ...lease, nextOwner: undefined, expiresAt });
      } else if (input.drained.has(lease.partition)) {
        plan.writes.push({ ...lease, owner: undefined, ownedSince: undefined, expiresAt: undefined, nextOwner: input.stopping && lease.nextOwner === me ? undefined : lease.nextOwner });
        plan.released.push(lease.partition);
      } else {
        plan.writes.push({ ...lease, expiresAt });
        plan.drain.push(lease.partition);
      }
      continue;
    }
    if (input.stopping) continue;
    const free = lease.owner === undefined && (lease.nextOwner === undefined || lease.nextOwner === me);
    const claimable = free || (lease.owner !== undefined && isExpired(lease, now)) || (lease.owner === me && isExpired(lease, now));
    const promised = lease.nextOwner === me;
    if (claimable && (promised || mine < fairShare)) {
      plan.writes.push({ ...lease, owner: me, nextOwner: undefined, ownedSince: now, expiresAt, epoch: lease.epoch + 1 });
      plan.claimed.push(lease.partition);
      if (!promised) mine += 1;
    }
  }

  if (!input.stopping && plan.claimed.length === 0) {
    // Ask the most loaded other worker for one partition when it holds at least two more than this one.
    let richest: string | undefined;
    for (const [worker, count] of counts) if (worker !== me && (richest === undefined || count > (counts.get(richest) ?? 0))) richest = worker;
    if (richest !== undefined && (counts.get(richest) ?? 0) - mine >= 2) {
      const victim = input.leases.find((lease) => lease.owner === richest && lease.nextOwner === undefined && !isExpired(lease, now));
      if (victim !== undefined) plan.writes.push({ ...victim, nextOwner: me });
    }
  }
  return plan;
}
