import { TaskHubError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { PartitionLeaseTable } from "../azure-storage/partition-leases.js";
import { isPreconditionFailed } from "../azure-storage/storage-errors.js";
import { planLeases } from "./lease-planner.js";
import { delay } from "./poller.js";

/** Timings of partition ownership. */
export interface PartitionTimings {
  /** A lease not renewed for this long may be claimed by another worker. */
  leaseDurationMs: number;
  /** How often a worker reads the lease table, renews, claims and balances. */
  leaseRenewIntervalMs: number;
  /** A worker refuses to commit for a partition whose lease expires within this margin. */
  commitSafetyMarginMs: number;
}

/** Starts and stops the local processing of a partition. */
export interface PartitionListener {
  listen(partition: number): void;
  /** Stops receiving from the partition and resolves once its in-flight episodes have finished. */
  unlisten(partition: number): Promise<void>;
}

/** The worker no longer holds the lease of the instance's partition (or is about to lose it): nothing was committed. */
export class PartitionLeaseLostError extends TaskHubError {
  constructor(partition: number) {
    super("TASKHUB_WORKER_STATE", `This worker no longer holds a safe lease on partition ${partition}; the episode was abandoned without committing.`);
  }
}

/**
 * Owns a fair share of the task hub's partitions through the Partitions table: claims free or expired leases,
 * renews its own, hands partitions over cooperatively (the owner drains, then releases), and on stop releases
 * everything so other workers take over at once. A worker listens to a queue only while it owns the lease and
 * nobody asked for it.
 */
export class PartitionManager {
  readonly workerId: string;
  readonly #table: PartitionLeaseTable;
  readonly #timings: PartitionTimings;
  readonly #listener: PartitionListener;
  readonly #logger: Logger;
  readonly #expiry = new Map<number, number>();
  readonly #listening = new Set<number>();
  readonly #draining = new Set<number>();
  readonly #drained = new Set<number>();
  #stopping = false;
  #loop: Promise<void> | undefined;
  readonly #abort = new AbortController();

  constructor(table: PartitionLeaseTable, workerId: string, timings: PartitionTimings, listener: PartitionListener, logger: Logger) {
    this.#table = table;
    this.workerId = workerId;
    this.#timings = timings;
    this.#listener = listener;
    this.#logger = logger;
  }

  /** Partitions this worker currently processes. */
  get owned(): number[] {
    return [...this.#listening].sort((a, b) => a - b);
  }

  /** True while this worker may commit for the partition (its lease is held and not about to expire). */
  canCommit(partition: number): boolean {
    const expiresAt = this.#expiry.get(partition);
    return expiresAt !== undefined && expiresAt - this.#timings.commitSafetyMarginMs > Date.now();
  }

  /** Creates missing lease rows, runs a first round (so the worker starts with its share), then keeps going. */
  async start(): Promise<void> {
    await this.#table.ensureRows();
    await this.#roundWithRetry();
    this.#loop = this.#run(this.#abort.signal);
  }

  /** Drains and releases every partition; resolves when the releases are written (or `timeoutMs` passed). */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping = true;
    this.#abort.abort();
    await this.#loop;
    const deadline = Date.now() + timeoutMs;
    while (this.#expiry.size > 0 && Date.now() < deadline) {
      try {
        await this.#round();
      } catch (error) {
        if (!isPreconditionFailed(error)) this.#logger.warn("partition release failed", { error: String(error) });
      }
      if (this.#expiry.size > 0) await delay(50);
    }
    for (const partition of this.#listening) await this.#listener.unlisten(partition);
    this.#listening.clear();
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.#stopping) {
      const busy = this.#draining.size > 0;
      await delay(busy ? Math.min(250, this.#timings.leaseRenewIntervalMs) : this.#timings.leaseRenewIntervalMs, signal);
      if (signal.aborted || this.#stopping) break;
      for (const [partition, expiresAt] of this.#expiry) if (expiresAt <= Date.now()) this.#lose(partition, "lease expired before it could be renewed");
      await this.#roundWithRetry();
    }
  }

  async #roundWithRetry(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.#round();
        return;
      } catch (error) {
        if (!isPreconditionFailed(error)) {
          this.#logger.warn("partition lease round failed", { error: String(error) });
          return;
        }
        await delay(20 + Math.random() * 80);
      }
    }
  }

  async #round(): Promise<void> {
    const leases = await this.#table.readAll();
    const now = new Date();
    for (const lease of leases) {
      if (this.#expiry.has(lease.partition) && lease.owner !== this.workerId) this.#lose(lease.partition, "another worker owns it now");
    }
    const plan = planLeases({ leases, me: this.workerId, now, leaseDurationMs: this.#timings.leaseDurationMs, drained: this.#drained, stopping: this.#stopping });
    for (const partition of plan.drain) this.#startDrain(partition);
    await this.#table.write(plan.writes);
    for (const lease of plan.writes) {
      if (lease.owner === this.workerId && lease.expiresAt !== undefined) this.#expiry.set(lease.partition, lease.expiresAt.getTime());
    }
    for (const partition of plan.released) {
      this.#expiry.delete(partition);
      this.#draining.delete(partition);
      this.#drained.delete(partition);
      this.#logger.info("partition released", { partition, workerId: this.workerId });
    }
    for (const partition of plan.claimed) {
      if (this.#listening.has(partition) || this.#draining.has(partition)) continue;
      this.#listening.add(partition);
      this.#listener.listen(partition);
      this.#logger.info("partition acquired", { partition, workerId: this.workerId });
    }
  }

  #startDrain(partition: number): void {
    if (this.#draining.has(partition)) return;
    this.#draining.add(partition);
    this.#listening.delete(partition);
    void this.#listener.unlisten(partition).then(() => {
      if (this.#draining.has(partition)) this.#drained.add(partition);
    });
  }

  #lose(partition: number, reason: string): void {
    this.#expiry.delete(partition);
    this.#draining.delete(partition);
    this.#drained.delete(partition);
    if (this.#listening.delete(partition)) void this.#listener.unlisten(partition);
    this.#logger.warn("partition lost", { partition, workerId: this.workerId, reason });
  }
}
