// Multi-process test support: worker child processes on one task hub, and helpers to watch them.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createStorageClients } from "../../src/azure-storage/connection.js";
import { PartitionLeaseTable, type PartitionLease } from "../../src/azure-storage/partition-leases.js";

const fixture = fileURLToPath(new URL("../../scripts/fleet-worker.mjs", import.meta.url));

export interface FleetWorker {
  name: string;
  process: ChildProcess;
  owned: number[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Worker processes sharing one hub; activity executions are logged to one file. */
export class Fleet {
  readonly runsFile: string;
  readonly workers = new Map<string, FleetWorker>();
  readonly #leases: PartitionLeaseTable;

  constructor(
    readonly connectionString: string,
    readonly taskHub: string,
    partitionCount: number,
    readonly env: Record<string, string> = {},
  ) {
    this.runsFile = join(tmpdir(), `${taskHub}-runs.log`);
    writeFileSync(this.runsFile, "");
    this.#leases = new PartitionLeaseTable(createStorageClients({ connectionString }).table(`${taskHub}Partitions`), partitionCount);
  }

  /** Starts a worker process and resolves once it reported its first partitions. */
  async spawn(name: string): Promise<FleetWorker> {
    const child = spawn(process.execPath, [fixture], {
      env: { ...process.env, ...this.env, TASKHUB_CS: this.connectionString, TASKHUB_HUB: this.taskHub, TASKHUB_RUNS: this.runsFile, TASKHUB_WORKER: name },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const worker: FleetWorker = {
      name,
      process: child,
      owned: [],
      exited: once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null })),
    };
    let buffer = "";
    let reported!: () => void;
    const first = new Promise<void>((resolve) => (reported = resolve));
    child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          worker.owned = (JSON.parse(line) as { owned: number[] }).owned;
          reported();
        } catch {
          // not a status line
        }
      }
    });
    this.workers.set(name, worker);
    await Promise.race([first, worker.exited.then((exit) => Promise.reject(new Error(`worker ${name} exited early: ${JSON.stringify(exit)}`)))]);
    return worker;
  }

  /** The lease table as storage holds it. */
  leases(): Promise<PartitionLease[]> {
    return this.#leases.readAll();
  }

  /** Activity executions so far, and how many of them repeated an (instance, task) pair. */
  runs(): { total: number; duplicates: number } {
    const lines = readFileSync(this.runsFile, "utf8").split("\n").filter(Boolean);
    return { total: lines.length, duplicates: lines.length - new Set(lines).size };
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.workers.values()].map(async (worker) => {
        if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill("SIGKILL");
        await worker.exited;
      }),
    );
  }
}

/** Polls `check` until it returns a value other than `undefined`, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Owner → number of partitions, counting only live (unexpired) leases. */
export function shares(leases: readonly PartitionLease[]): Map<string, number> {
  const counts = new Map<string, number>();
  const now = Date.now();
  for (const lease of leases) {
    if (lease.owner === undefined || (lease.expiresAt !== undefined && lease.expiresAt.getTime() < now)) continue;
    counts.set(lease.owner, (counts.get(lease.owner) ?? 0) + 1);
  }
  return counts;
}
