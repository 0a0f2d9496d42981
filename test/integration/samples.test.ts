import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approvalWorkflow, backup, configureBackupStorage, jobMonitor, sampleActivities, sampleOrchestrations, helloSequence } from "../../src/samples/index.js";
import { connectionString, startHarness, type Harness } from "./support.js";

async function waitForCustomStatus(hub: Harness, id: string, expected: unknown): Promise<void> {
  for (;;) {
    const status = await hub.client.getStatus(id);
    if (JSON.stringify(status?.customStatus) === JSON.stringify(expected)) return;
    if (status !== undefined && ["Completed", "Failed", "Terminated"].includes(status.runtimeStatus)) throw new Error(`finished early: ${status.runtimeStatus}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("samples", () => {
  let hub: Harness;
  beforeAll(async () => {
    configureBackupStorage(connectionString());
    hub = await startHarness({ orchestrations: sampleOrchestrations, activities: sampleActivities });
  });
  afterAll(() => hub.stop());

  it("hello sequence greets in order", async () => {
    const id = await hub.client.startOrchestration(helloSequence, { input: ["Tokyo", "Seattle", "London"] });
    const status = await hub.client.waitForCompletion(id);
    expect(status.output).toEqual(["Hello Tokyo!", "Hello Seattle!", "Hello London!"]);
  });

  it("backup copies every file into blobs and sums the bytes", async () => {
    const root = await mkdtemp(join(tmpdir(), "taskhub-backup-"));
    await mkdir(join(root, "nested"));
    await writeFile(join(root, "a.txt"), "hello");
    await writeFile(join(root, "nested", "b.bin"), Buffer.alloc(70_000, 7));
    const container = `backup-${hub.taskHub.toLowerCase()}`;
    const id = await hub.client.startOrchestration(backup, { input: { directory: root, container } });
    const status = await hub.client.waitForCompletion(id);
    expect(status.output).toEqual({ files: 2, bytes: 70_005 });
    const blobs = BlobServiceClient.fromConnectionString(connectionString()).getContainerClient(container);
    const names: string[] = [];
    for await (const blob of blobs.listBlobsFlat()) names.push(`${blob.name}:${blob.properties.contentLength}`);
    expect(names.sort()).toEqual(["a.txt:5", "nested/b.bin:70000"]);
  });

  it("human interaction: approval arrives", async () => {
    const id = await hub.client.startOrchestration(approvalWorkflow, { input: { requestId: "r1", approver: "ana", timeoutMs: 60_000 } });
    await waitForCustomStatus(hub, id, "waiting for approval");
    await hub.client.raiseEvent(id, "ApprovalDecision", true);
    expect((await hub.client.waitForCompletion(id)).output).toBe("approved");
  });

  it("human interaction: nobody answers, so it escalates", async () => {
    const id = await hub.client.startOrchestration(approvalWorkflow, { input: { requestId: "r2", approver: "bo", timeoutMs: 300 } });
    expect((await hub.client.waitForCompletion(id)).output).toBe("request r2 escalated");
  });

  it("monitor loops with continue-as-new until the job is done", async () => {
    const id = await hub.client.startOrchestration(jobMonitor, { input: { jobId: "j1", intervalMs: 100, maxChecks: 10 } });
    const status = await hub.client.waitForCompletion(id);
    expect(status.output).toEqual({ jobId: "j1", checks: 3, state: "done" });
    const withHistory = await hub.client.getStatus(id, { includeHistory: true });
    expect(withHistory?.history?.length).toBeLessThan(10);
  });
});
