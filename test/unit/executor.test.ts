import { describe, expect, it } from "vitest";
import { defineActivity, defineOrchestration } from "../../src/core/definitions.js";
import { TaskFailedError } from "../../src/core/task-errors.js";
import { MemoryDriver } from "./memory-driver.js";

const sayHello = defineActivity("SayHello", async (name: string) => `Hello ${name}!`);
const helloCities = defineOrchestration("HelloCities", async (ctx, cities: string[]) => {
  const out: string[] = [];
  for (const c of cities) out.push(await ctx.callActivity(sayHello, c));
  return out;
});

describe.each([true, false])("executor (warm sessions: %s)", (warm) => {
  const make = (...orchestrations: unknown[]) => {
    const driver = new MemoryDriver(orchestrations as never, [sayHello, fails, flaky] as never);
    driver.warm = warm;
    return driver;
  };
  let flakyCalls = 0;
  const fails = defineActivity("Fails", async () => {
    throw new TypeError("boom");
  });
  const flaky = defineActivity("Flaky", async () => {
    flakyCalls += 1;
    if (flakyCalls % 3 !== 0) throw new Error(`attempt ${flakyCalls}`);
    return flakyCalls;
  });

  it("runs a sequence", async () => {
    const driver = make(helloCities);
    const id = driver.start("HelloCities", ["Tokyo", "London", "Seattle"]);
    await driver.run();
    expect(driver.status(id)).toBe("Completed");
    expect(driver.output(id)).toEqual(["Hello Tokyo!", "Hello London!", "Hello Seattle!"]);
  });

  it("fans out and in", async () => {
    const fan = defineOrchestration("Fan", async (ctx, n: number) => {
      const tasks = Array.from({ length: n }, (_, i) => ctx.callActivity(sayHello, String(i)));
      return (await Promise.all(tasks)).length;
    });
    const driver = make(fan);
    const id = driver.start("Fan", 50);
    await driver.run();
    expect(driver.output(id)).toBe(50);
  });

  it("surfaces activity failures as catchable TaskFailedError", async () => {
    const orch = defineOrchestration("Catch", async (ctx) => {
      try {
        await ctx.callActivity(fails);
        return "no";
      } catch (error) {
        return error instanceof TaskFailedError ? `${error.failureDetails.errorType}:${error.failureDetails.message}` : "wrong";
      }
    });
    const driver = make(orch);
    const id = driver.start("Catch");
    await driver.run();
    expect(driver.output(id)).toBe("TypeError:boom");
  });

  it("retries then succeeds", async () => {
    flakyCalls = 0;
    const orch = defineOrchestration("Retry", async (ctx) => ctx.callActivity(flaky, undefined, { retry: { maxAttempts: 5, firstRetryIntervalMs: 1000 } }));
    const driver = make(orch);
    const id = driver.start("Retry");
    await driver.run();
    expect(driver.output(id)).toBe(3);
  });

  it("reports non-determinism with a diff", async () => {
    let flip = false;
    const orch = defineOrchestration("Flip", async (ctx) => {
      flip = !flip;
      if (flip) await ctx.callActivity(sayHello, "a");
      else await ctx.createTimer(10);
      await ctx.callActivity(sayHello, "b");
      return "done";
    });
    const driver = make(orch);
    driver.warm = false;
    const id = driver.start("Flip");
    await driver.run();
    expect(driver.status(id)).toBe("Failed");
    const failure = driver.projections.get(id)?.failureDetails;
    expect(failure?.errorType).toBe("NonDeterminismError");
    expect(failure?.message).toContain('history expected callActivity "SayHello" (task 0)');
    expect(failure?.message).toContain("createTimer");
  });

  it("waits for events with timeouts and buffering", async () => {
    const orch = defineOrchestration("Events", async (ctx) => {
      const a = await ctx.waitForExternalEvent<string>("A");
      let b: string;
      try {
        b = await ctx.waitForExternalEvent<string>("B", { timeoutMs: 1000 });
      } catch {
        b = "timeout";
      }
      return `${a}/${b}`;
    });
    const driver = make(orch);
    const id = driver.start("Events");
    driver.raise(id, "A", "early");
    await driver.run();
    expect(driver.output(id)).toBe("early/timeout");
  });

  it("continues as new with bounded history", async () => {
    const counter = defineOrchestration("Counter", async (ctx, n: number) => {
      await ctx.createTimer(1000);
      if (n < 10) {
        ctx.continueAsNew(n + 1);
        return undefined;
      }
      return n;
    });
    const driver = make(counter);
    const id = driver.start("Counter", 0);
    await driver.run();
    expect(driver.output(id)).toBe(10);
    expect(driver.states.get(id)!.history.length).toBeLessThan(10);
    expect(driver.projections.get(id)?.generation).toBe(10);
  });

  it("fails when awaiting a non-durable promise", async () => {
    const orch = defineOrchestration("Sleepy", async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 1;
    });
    const driver = make(orch);
    const id = driver.start("Sleepy");
    await driver.run();
    expect(driver.status(id)).toBe("Failed");
    expect(driver.projections.get(id)?.failureDetails?.errorType).toBe("NonDurableAwaitError");
  });
});
