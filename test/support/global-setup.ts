import type { TestProject } from "vitest/node";
import { startEmulator } from "../../src/azure-storage/emulator.js";

declare module "vitest" {
  export interface ProvidedContext {
    storageConnectionString: string;
  }
}

/** Starts one Azurite for the integration tests, or uses TASKHUB_STORAGE_CONNECTION_STRING when set. */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.TASKHUB_STORAGE_CONNECTION_STRING;
  if (given !== undefined && given !== "") {
    project.provide("storageConnectionString", given);
    return undefined;
  }
  const emulator = await startEmulator();
  project.provide("storageConnectionString", emulator.connectionString);
  return () => emulator.stop();
}
