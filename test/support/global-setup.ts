import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import type { TestProject } from "vitest/node";
import { startEmulator } from "../../src/azure-storage/emulator.js";

declare module "vitest" {
  export interface ProvidedContext {
    storageConnectionString: string;
  }
}

/** Compiles `dist/` once, for tests that run workers or the CLI as child processes. */
function build(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

/**
 * Builds `dist/`, then starts one Azurite for the integration tests, or uses TASKHUB_STORAGE_CONNECTION_STRING when
 * set.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  build();
  const given = process.env.TASKHUB_STORAGE_CONNECTION_STRING;
  if (given !== undefined && given !== "") {
    project.provide("storageConnectionString", given);
    return undefined;
  }
  const emulator = await startEmulator();
  project.provide("storageConnectionString", emulator.connectionString);
  return () => emulator.stop();
}
