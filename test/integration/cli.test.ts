import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineOrchestration } from "../../src/index.js";
import { connectionString, startHarness, type Harness } from "./support.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

const echo = defineOrchestration("Echo", async (ctx, input: unknown) => ({ echoed: input, instanceId: ctx.instanceId }));

describe("taskhub CLI", () => {
  let hub: Harness;
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, TASKHUB_STORAGE_CONNECTION_STRING: connectionString(), TASKHUB_TASK_HUB: hub.taskHub });
  beforeAll(async () => {
    hub = await startHarness({ orchestrations: [echo] });
  });
  afterAll(() => hub.stop());

  it("starts, waits for and lists an instance", async () => {
    const started = await run(process.execPath, [cli, "start", "Echo", "--input", '{"n":1}', "--id", "cli-1"], { env: env() });
    expect(JSON.parse(started.stdout)).toEqual({ instanceId: "cli-1" });
    const waited = await run(process.execPath, [cli, "wait", "cli-1", "--timeout", "30000"], { env: env() });
    expect(JSON.parse(waited.stdout)).toMatchObject({ runtimeStatus: "Completed", output: { echoed: { n: 1 }, instanceId: "cli-1" } });
    const listed = await run(process.execPath, [cli, "list", "--prefix", "cli-"], { env: env() });
    expect(listed.stdout.trim().split("\n").map((line) => (JSON.parse(line) as { instanceId: string }).instanceId)).toEqual(["cli-1"]);
  });

  it("exits 2 with usage on bad input and 1 when the operation fails", async () => {
    await expect(run(process.execPath, [cli, "start", "Echo", "--input", "{bad"], { env: env() })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--input is not valid JSON") });
    await expect(run(process.execPath, [cli, "status", "missing"], { env: env() })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("no instance") });
  });
});
