#!/usr/bin/env node
// Measures partition hand-off with the worker's default lease timings (15 s lease, 3 s renewal):
//   graceful: SIGTERM one of two workers → time until the other owns every partition;
//   failover: SIGKILL one of two workers → time until the other owns every partition.
// Usage: npm run build && node scripts/measure-failover.mjs [--runs 3]
// Uses TASKHUB_STORAGE_CONNECTION_STRING when set, otherwise an embedded Azurite.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startEmulator, TaskHubClient } from "../dist/index.js";
import { PartitionLeaseTable } from "../dist/azure-storage/partition-leases.js";
import { createStorageClients } from "../dist/azure-storage/connection.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
const PARTITIONS = 4;
const workerScript = fileURLToPath(new URL("./fleet-worker.mjs", import.meta.url));
const emulator = process.env.TASKHUB_STORAGE_CONNECTION_STRING ? undefined : await startEmulator();
const connectionString = process.env.TASKHUB_STORAGE_CONNECTION_STRING ?? emulator.connectionString;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function startWorker(taskHub, name) {
  const child = spawn(process.execPath, [workerScript], {
    env: { ...process.env, TASKHUB_CS: connectionString, TASKHUB_HUB: taskHub, TASKHUB_RUNS: "/dev/null", TASKHUB_WORKER: name,
      TASKHUB_LEASE_MS: "15000", TASKHUB_RENEW_MS: "3000", TASKHUB_SAFETY_MS: "3000",
      TASKHUB_CONTROL_VISIBILITY_MS: "15000", TASKHUB_ACTIVITY_VISIBILITY_MS: "30000" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { child, exited: once(child, "exit") };
}

async function ownerCounts(leases) {
  const counts = new Map();
  for (const lease of await leases.readAll()) {
    if (lease.owner && lease.expiresAt && lease.expiresAt.getTime() > Date.now()) counts.set(lease.owner, (counts.get(lease.owner) ?? 0) + 1);
  }
  return counts;
}

async function until(predicate, timeoutMs) {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out");
    await sleep(50);
  }
  return Date.now() - started;
}

async function measure(kind, run) {
  const taskHub = `measure${kind}${run}${Date.now().toString(36)}`;
  await new TaskHubClient({ connectionString, taskHub, partitionCount: PARTITIONS }).list().byPage().next();
  const leases = new PartitionLeaseTable(createStorageClients({ connectionString }).table(`${taskHub}Partitions`), PARTITIONS);
  const a = startWorker(taskHub, "a");
  const b = startWorker(taskHub, "b");
  await until(async () => {
    const counts = await ownerCounts(leases);
    return counts.get("a") === 2 && counts.get("b") === 2;
  }, 60_000);
  b.child.kill(kind === "graceful" ? "SIGTERM" : "SIGKILL");
  const elapsed = await until(async () => (await ownerCounts(leases)).get("a") === PARTITIONS, 60_000);
  a.child.kill("SIGKILL");
  await Promise.all([a.exited, b.exited]);
  return elapsed;
}

const results = { graceful: [], failover: [] };
for (let run = 0; run < Number(values.runs); run++) {
  for (const kind of ["graceful", "failover"]) {
    const ms = await measure(kind, run);
    results[kind].push(ms);
    console.log(`${kind} run ${run + 1}: ${ms} ms`);
  }
}
const median = (list) => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)];
console.log(JSON.stringify({ gracefulHandOffMs: { median: median(results.graceful), max: Math.max(...results.graceful) }, failoverMs: { median: median(results.failover), max: Math.max(...results.failover) } }));
await emulator?.stop();
