import type { TableClient, TransactionAction } from "@azure/data-tables";
import { isConflict } from "./storage-errors.js";

const PARTITION_KEY = "partition";

/** One partition's lease row in the Partitions table. */
export interface PartitionLease {
  readonly partition: number;
  /** Worker that owns the partition, if any. */
  owner: string | undefined;
  /** Worker that asked the owner to hand the partition over. */
  nextOwner: string | undefined;
  ownedSince: Date | undefined;
  /** The owner must renew before this time, or anyone may claim the partition. */
  expiresAt: Date | undefined;
  /** Incremented on every change of owner. */
  epoch: number;
  /** The row's eTag (compare-and-swap token). */
  readonly etag: string;
}

/** Row key of a partition's lease row: two digits, like the control queue suffix. */
export function leaseRowKey(partition: number): string {
  return String(partition).padStart(2, "0");
}

/**
 * The lease rows of the Partitions table: one row per partition, all in one table partition, so every worker reads
 * them in one query and writes its changes in one entity-group transaction, each row guarded by its eTag.
 */
export class PartitionLeaseTable {
  readonly #table: TableClient;
  readonly #partitionCount: number;

  constructor(table: TableClient, partitionCount: number) {
    this.#table = table;
    this.#partitionCount = partitionCount;
  }

  /** Creates the missing lease rows (free, epoch 0). */
  async ensureRows(): Promise<void> {
    await Promise.all(
      Array.from({ length: this.#partitionCount }, async (_, partition) => {
        try {
          await this.#table.createEntity({ partitionKey: PARTITION_KEY, rowKey: leaseRowKey(partition), Owner: null, NextOwner: null, Epoch: 0 });
        } catch (error) {
          if (!isConflict(error)) throw error;
        }
      }),
    );
  }

  /** Reads every lease row, ordered by partition. */
  async readAll(): Promise<PartitionLease[]> {
    const leases: PartitionLease[] = [];
    const rows = this.#table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `PartitionKey eq '${PARTITION_KEY}'` } });
    for await (const row of rows) {
      const partition = Number.parseInt(row.rowKey ?? "", 10);
      if (!Number.isInteger(partition) || partition >= this.#partitionCount) continue;
      leases.push({
        partition,
        owner: typeof row.Owner === "string" && row.Owner !== "" ? row.Owner : undefined,
        nextOwner: typeof row.NextOwner === "string" && row.NextOwner !== "" ? row.NextOwner : undefined,
        ownedSince: row.OwnedSince instanceof Date ? row.OwnedSince : undefined,
        expiresAt: row.ExpiresAt instanceof Date ? row.ExpiresAt : undefined,
        epoch: Number(row.Epoch ?? 0),
        etag: row.etag,
      });
    }
    return leases.sort((a, b) => a.partition - b.partition);
  }

  /**
   * Writes changed leases in one transaction; each row only if its eTag still matches.
   * @throws the storage error (412) when another worker changed any of them first
   */
  async write(leases: readonly PartitionLease[]): Promise<void> {
    if (leases.length === 0) return;
    const actions: TransactionAction[] = leases.map((lease) => [
      "update",
      {
        partitionKey: PARTITION_KEY,
        rowKey: leaseRowKey(lease.partition),
        Owner: lease.owner ?? null,
        NextOwner: lease.nextOwner ?? null,
        OwnedSince: lease.ownedSince ?? null,
        ExpiresAt: lease.expiresAt ?? null,
        Epoch: lease.epoch,
      },
      "Replace",
      { etag: lease.etag },
    ]);
    await this.#table.submitTransaction(actions);
  }
}
