#!/usr/bin/env node
// `npm start`: runs the backup example end to end on an embedded Azurite (or on the storage account named by
// TASKHUB_STORAGE_CONNECTION_STRING): lists the files of a directory, copies each into a blob container in
// parallel activities, sums the bytes, and prints what happened.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startEmulator, TaskHubClient, TaskHubWorker, type Emulator } from "../index.js";
import { backup, configureBackupStorage, sampleActivities, sampleOrchestrations } from "./index.js";
import { consoleLogger } from "./console-logger.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

async function main(): Promise<number> {
  const directory = resolve(process.argv[2] ?? resolve(repoRoot, "docs"));
  const taskHub = process.env.TASKHUB_TASK_HUB ?? "TaskhubSamples";
  let emulator: Emulator | undefined;
  let connectionString = process.env.TASKHUB_STORAGE_CONNECTION_STRING;
  if (connectionString === undefined || connectionString === "") {
    const location = resolve(repoRoot, ".taskhub", "azurite");
    console.error(`Starting Azurite (data in ${location}) ...`);
    emulator = await startEmulator({ location });
    connectionString = emulator.connectionString;
  } else {
    console.error("Using the storage account from TASKHUB_STORAGE_CONNECTION_STRING.");
  }
  configureBackupStorage(connectionString);
  const worker = new TaskHubWorker({ connectionString, taskHub, orchestrations: sampleOrchestrations, activities: sampleActivities, logger: consoleLogger("warn") });
  try {
    await worker.start();
    const client = new TaskHubClient({ connectionString, taskHub });
    const started = performance.now();
    const instanceId = await client.startOrchestration(backup, { input: { directory, container: "backup" } });
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 300_000 });
    const elapsedMs = performance.now() - started;
    if (status.runtimeStatus !== "Completed" || status.output === undefined) {
      console.error(`Backup ${status.runtimeStatus}: ${status.failureDetails?.message ?? "no output"}`);
      return 1;
    }
    const result = status.output as { files: number; bytes: number };
    console.log(`instance:    ${instanceId}`);
    console.log(`directory:   ${directory}`);
    console.log(`files:       ${result.files}`);
    console.log(`total bytes: ${result.bytes}`);
    console.log(`elapsed:     ${Math.round(elapsedMs)} ms`);
    return 0;
  } finally {
    await worker.stop();
    await emulator?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
