import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defineActivity,
  defineOrchestration,
  EventTimeoutError,
  InvalidPayloadError,
  SubOrchestrationFailedError,
  TaskFailedError,
  type OrchestrationStatus,
} from "../../src/index.js";
import { startHarness, type Harness } from "./support.js";

const attempts = new Map<string, number>();
const add = defineActivity("Add", async (input: { a: number; b: number }) => input.a + input.b);
const flaky = defineActivity("Flaky", async (key: string) => {
  const attempt = (attempts.get(key) ?? 0) + 1;
  attempts.set(key, attempt);
  if (attempt <= 2) throw new Error(`transient failure ${attempt}`);
  return attempt;
});
const fatal = defineActivity("Fatal", async (key: string) => {
  attempts.set(key, (attempts.get(key) ?? 0) + 1);
  throw new TypeError("permanent");
});
const badOutput = defineActivity("BadOutput", async () => ({ when: 1n }) as unknown as number);

const fanOut = defineOrchestration("FanOut", async (ctx, n: number) => {
  const results = await Promise.all(Array.from({ length: n }, (_, i) => ctx.callActivity(add, { a: i, b: 1 })));
  return { count: results.length, sum: results.reduce((s, v) => s + v, 0) };
});
const retrying = defineOrchestration("Retrying", async (ctx, key: string) => ctx.callActivity(flaky, key, { retry: { maxAttempts: 5, firstRetryIntervalMs: 100, backoffCoefficient: 2 } }));
const stopsRetrying = defineOrchestration("StopsRetrying", async (ctx, key: string) => {
  try {
    await ctx.callActivity(fatal, key, { retry: { maxAttempts: 5, firstRetryIntervalMs: 100, handle: (failure) => failure.errorType !== "TypeError" } });
    return "unreachable";
  } catch (error) {
    return error instanceof TaskFailedError ? error.failureDetails.message : "wrong error";
  }
});
const timers = defineOrchestration("Timers", async (ctx, delayMs: number) => {
  const before = ctx.currentUtcDateTime.getTime();
  await ctx.createTimer(delayMs);
  const after = ctx.currentUtcDateTime.getTime();
  const cancelled = ctx.createTimer(60 * 60_000);
  const winner = await Promise.race([cancelled.then(() => "timer"), ctx.callActivity(add, { a: 1, b: 1 }).then(() => "activity")]);
  cancelled.cancel();
  return { waited: after - before, winner };
});
const events = defineOrchestration("Events", async (ctx) => {
  const early = await ctx.waitForExternalEvent<string>("early");
  ctx.setCustomStatus("waiting for late");
  const late = await ctx.waitForExternalEvent<string>("late");
  ctx.setCustomStatus("waiting for never");
  try {
    await ctx.waitForExternalEvent("never", { timeoutMs: 300 });
    return "unreachable";
  } catch (error) {
    return { early, late, timedOut: error instanceof EventTimeoutError && error.code === "TASKHUB_EVENT_TIMEOUT" };
  }
});
const child = defineOrchestration("Child", async (ctx, n: number) => {
  if (n < 0) throw new RangeError("negative input");
  return { doubled: await ctx.callActivity(add, { a: n, b: n }), parent: ctx.parent?.instanceId ?? null };
});
const parent = defineOrchestration("Parent", async (ctx, n: number) => {
  const ok = await ctx.callSubOrchestration(child, n, { instanceId: `${ctx.instanceId}-child` });
  let failure = "";
  try {
    await ctx.callSubOrchestration(child, -1);
  } catch (error) {
    if (error instanceof SubOrchestrationFailedError) failure = `${error.failureDetails.errorType}: ${error.failureDetails.message}`;
  }
  return { ok, failure };
});
const parentUncaught = defineOrchestration("ParentUncaught", async (ctx) => ctx.callSubOrchestration(child, -5));
const counter = defineOrchestration("Counter", async (ctx, state: { n: number; seen: string[] }) => {
  const signal = await ctx.waitForExternalEvent<string>("tick", { timeoutMs: 50 }).catch(() => undefined);
  const next = { n: state.n + 1, seen: signal === undefined ? state.seen : [...state.seen, signal] };
  ctx.setCustomStatus({ n: next.n });
  if (next.n < 10) {
    ctx.continueAsNew(next);
    return undefined;
  }
  return next;
});
let flip = false;
const unstable = defineOrchestration("Unstable", async (ctx) => {
  flip = !flip;
  if (flip) await ctx.callActivity(add, { a: 1, b: 2 });
  else await ctx.createTimer(10);
  await ctx.callActivity(add, { a: 3, b: 4 });
  return "done";
});
const callsUnknown = defineOrchestration("CallsUnknown", async (ctx) => {
  try {
    await ctx.callActivity("NoSuchActivity", 1);
    return "unreachable";
  } catch (error) {
    return error instanceof TaskFailedError ? error.failureDetails.errorType : "wrong";
  }
});
const callsBadOutput = defineOrchestration("CallsBadOutput", async (ctx) => ctx.callActivity(badOutput));
const sleeps = defineOrchestration("Sleeps", async () => {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return "woke";
});

async function waitForCustomStatus(hub: Harness, id: string, expected: unknown): Promise<OrchestrationStatus> {
  for (;;) {
    const status = await hub.client.getStatus(id);
    if (status !== undefined && JSON.stringify(status.customStatus) === JSON.stringify(expected)) return status;
    if (status !== undefined && ["Completed", "Failed", "Terminated"].includes(status.runtimeStatus)) throw new Error(`finished: ${status.runtimeStatus}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("orchestration features on Azurite", () => {
  let hub: Harness;
  let coldHub: Harness;
  beforeAll(async () => {
    const orchestrations = [fanOut, retrying, stopsRetrying, timers, events, child, parent, parentUncaught, counter, callsUnknown, callsBadOutput, sleeps];
    hub = await startHarness({ orchestrations, activities: [add, flaky, fatal, badOutput], maxTimerHopMs: 1_000 });
    coldHub = await startHarness({ orchestrations: [unstable], activities: [add], instanceCacheSize: 0 });
  });
  afterAll(async () => {
    await Promise.all([hub.stop(), coldHub.stop()]);
  });

  it("fans out 500 activities and fans in", async () => {
    const id = await hub.client.startOrchestration(fanOut, { input: 500 });
    const status = await hub.client.waitForCompletion(id, { timeoutMs: 90_000 });
    expect(status.output).toEqual({ count: 500, sum: (499 * 500) / 2 + 500 });
    const history = (await hub.client.getStatus(id, { includeHistory: true }))?.history ?? [];
    expect(history.filter((event) => event.type === "TaskScheduled")).toHaveLength(500);
    expect(history.filter((event) => event.type === "TaskCompleted")).toHaveLength(500);
  });

  it("retries an activity that fails twice, then succeeds", async () => {
    const id = await hub.client.startOrchestration(retrying, { input: "retry-1" });
    expect((await hub.client.waitForCompletion(id)).output).toBe(3);
    expect(attempts.get("retry-1")).toBe(3);
  });

  it("stops retrying when the predicate says so", async () => {
    const id = await hub.client.startOrchestration(stopsRetrying, { input: "fatal-1" });
    expect((await hub.client.waitForCompletion(id)).output).toBe("permanent");
    expect(attempts.get("fatal-1")).toBe(1);
  });

  it("fires a timer longer than the hop size, and cancelled timers do not hold the instance", async () => {
    const started = Date.now();
    const id = await hub.client.startOrchestration(timers, { input: 2_500 });
    const status = await hub.client.waitForCompletion(id, { timeoutMs: 30_000 });
    expect(status.output).toEqual({ waited: expect.any(Number), winner: "activity" });
    expect((status.output as { waited: number }).waited).toBeGreaterThanOrEqual(2_500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
  });

  it("takes events raised before and after the wait, and times out a wait", async () => {
    const id = await hub.client.startOrchestration(events);
    await hub.client.raiseEvent(id, "early", "e1");
    await waitForCustomStatus(hub, id, "waiting for late");
    await hub.client.raiseEvent(id, "late", "l1");
    const status = await hub.client.waitForCompletion(id);
    expect(status.output).toEqual({ early: "e1", late: "l1", timedOut: true });
    expect(status.customStatus).toBe("waiting for never");
  });

  it("runs sub-orchestrations and surfaces their failures", async () => {
    const id = await hub.client.startOrchestration(parent, { input: 21, instanceId: "parent-1" });
    const status = await hub.client.waitForCompletion(id);
    expect(status.output).toEqual({ ok: { doubled: 42, parent: "parent-1" }, failure: "RangeError: negative input" });
    const childStatus = await hub.client.getStatus("parent-1-child");
    expect(childStatus?.parentInstanceId).toBe("parent-1");
    expect((await hub.client.getStatus("parent-1:1"))?.runtimeStatus).toBe("Failed");

    const uncaught = await hub.client.waitForCompletion(await hub.client.startOrchestration(parentUncaught));
    expect(uncaught.runtimeStatus).toBe("Failed");
    expect(uncaught.failureDetails?.errorType).toBe("SubOrchestrationFailedError");
    expect(uncaught.failureDetails?.innerFailure?.errorType).toBe("RangeError");
  });

  it("continues as new to a count of 10 with bounded history, keeping events", async () => {
    const id = await hub.client.startOrchestration(counter, { input: { n: 0, seen: [] } });
    await hub.client.raiseEvent(id, "tick", "t1");
    const status = await hub.client.waitForCompletion(id, { timeoutMs: 60_000 });
    expect(status.output).toMatchObject({ n: 10, seen: ["t1"] });
    const history = (await hub.client.getStatus(id, { includeHistory: true }))?.history ?? [];
    expect(history.length).toBeLessThan(10);
    expect(history[1]).toMatchObject({ type: "ExecutionStarted", generation: 9 });
  });

  it("fails a non-deterministic orchestrator with the expected and actual actions", async () => {
    const id = await coldHub.client.startOrchestration(unstable);
    const status = await coldHub.client.waitForCompletion(id);
    expect(status.runtimeStatus).toBe("Failed");
    expect(status.failureDetails?.errorType).toBe("NonDeterminismError");
    expect(status.failureDetails?.message).toMatch(/history expected callActivity "Add" \(task 0\), but the code did createTimer/);
  });

  it("gives clear errors for unknown names, non-JSON values and non-durable awaits", async () => {
    const unknown = await hub.client.waitForCompletion(await hub.client.startOrchestration("NoSuchOrchestration"));
    expect(unknown.runtimeStatus).toBe("Failed");
    expect(unknown.failureDetails?.errorType).toBe("OrchestrationNotFoundError");
    expect(unknown.failureDetails?.message).toMatch(/registered: .*FanOut/);

    expect((await hub.client.waitForCompletion(await hub.client.startOrchestration(callsUnknown))).output).toBe("ActivityNotFoundError");

    const bad = await hub.client.waitForCompletion(await hub.client.startOrchestration(callsBadOutput));
    expect(bad.failureDetails?.innerFailure?.errorType).toBe("InvalidPayloadError");

    for (const input of [{ a: [1, 2n] }, { f: () => 1 }, new Map([[1, 2]])]) {
      await expect(hub.client.startOrchestration(fanOut, { input: input as unknown as number })).rejects.toBeInstanceOf(InvalidPayloadError);
    }
    await expect(hub.client.startOrchestration(fanOut, { input: { a: [1, 2n] } as unknown as number })).rejects.toThrow(/options\.input\.a\[1\]: BigInt/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(hub.client.startOrchestration(fanOut, { input: cyclic as unknown as number })).rejects.toThrow(/cycle/);

    const sleepy = await hub.client.waitForCompletion(await hub.client.startOrchestration(sleeps));
    expect(sleepy.failureDetails?.errorType).toBe("NonDurableAwaitError");
  });
});
