import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { once } from "node:events";

/** The well-known Azurite account name and key (public, documented by Microsoft). */
const DEV_ACCOUNT = "devstoreaccount1";
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** Options for {@link startEmulator}. */
export interface EmulatorOptions {
  /**
   * Directory where Azurite keeps its data. When omitted, data lives in memory only.
   * @default undefined (in-memory)
   */
  location?: string;
  /**
   * How long to wait for the three services to listen.
   * @default 30000
   */
  startTimeoutMs?: number;
}

/** A running Azurite child process. */
export interface Emulator {
  /** Connection string for the three services on their (free, loopback) ports. */
  readonly connectionString: string;
  /** The child process. */
  readonly process: ChildProcess;
  /** Stops the emulator: SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/** Builds a connection string for an Azurite instance listening on the given loopback ports. */
export function emulatorConnectionString(ports: { blob: number; queue: number; table: number }): string {
  const base = "http://127.0.0.1";
  return [
    "DefaultEndpointsProtocol=http",
    `AccountName=${DEV_ACCOUNT}`,
    `AccountKey=${DEV_KEY}`,
    `BlobEndpoint=${base}:${ports.blob}/${DEV_ACCOUNT}`,
    `QueueEndpoint=${base}:${ports.queue}/${DEV_ACCOUNT}`,
    `TableEndpoint=${base}:${ports.table}/${DEV_ACCOUNT}`,
  ].join(";");
}

/**
 * Starts Azurite (the `azurite` package must be installed) as a child process on free loopback ports,
 * with telemetry off and the API-version check skipped (current SDKs run ahead of the emulator).
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve("azurite/dist/src/azurite.js");
  } catch {
    throw new Error("The 'azurite' package is not installed: run `npm ci` (it is a development dependency).");
  }
  const args = [entry, "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"];
  args.push("--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1");
  args.push("--blobPort", "0", "--queuePort", "0", "--tablePort", "0");
  if (options.location === undefined) {
    args.push("--inMemoryPersistence");
  } else {
    mkdirSync(options.location, { recursive: true });
    args.push("--location", options.location);
  }
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const ports: Partial<Record<"blob" | "queue" | "table", number>> = {};
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      for (const match of output.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/g)) {
        const service = match[1]?.toLowerCase() as "blob" | "queue" | "table";
        ports[service] = Number(match[2]);
      }
      if (ports.blob !== undefined && ports.queue !== undefined && ports.table !== undefined) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`Azurite exited early (code ${String(code)}): ${output.slice(-2000)}`)));
    child.once("error", reject);
  });
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Azurite did not start within ${timeoutMs} ms: ${output.slice(-2000)}`)), timeoutMs);
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }
  child.stdout.removeAllListeners("data");
  child.stderr.removeAllListeners("data");
  child.stdout.resume();
  child.stderr.resume();
  const connectionString = emulatorConnectionString({ blob: ports.blob ?? 0, queue: ports.queue ?? 0, table: ports.table ?? 0 });
  return {
    connectionString,
    process: child,
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const killTimer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killTimer);
    },
  };
}
