import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { TaskHubClient, TaskHubWorker, type TaskHubWorkerOptions } from "../../src/index.js";

/** A unique task hub name per test, so tests never see each other's messages. */
export function uniqueHub(prefix = "t"): string {
  return `${prefix}${randomBytes(6).toString("hex")}`;
}

export function connectionString(): string {
  return inject("storageConnectionString");
}

export interface Harness {
  taskHub: string;
  worker: TaskHubWorker;
  client: TaskHubClient;
  stop(): Promise<void>;
}

/** Starts a worker on a fresh hub, with a client for it. */
export async function startHarness(options: Omit<TaskHubWorkerOptions, "connectionString" | "taskHub" | "accountName" | "credential">): Promise<Harness> {
  const taskHub = uniqueHub();
  const cs = connectionString();
  const worker = new TaskHubWorker({ connectionString: cs, taskHub, maxPollingIntervalMs: 200, ...options });
  await worker.start();
  const client = new TaskHubClient({ connectionString: cs, taskHub });
  return { taskHub, worker, client, stop: () => worker.stop() };
}
