import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineActivity, defineOrchestration, TaskFailedError } from "../../src/index.js";
import { startHarness, type Harness } from "./support.js";

const sayHello = defineActivity("SayHello", async (name: string) => `Hello ${name}!`);
const helloCities = defineOrchestration("HelloCities", async (ctx, cities: string[]) => {
  const out: string[] = [];
  for (const c of cities) out.push(await ctx.callActivity(sayHello, c));
  return out;
});
const fails = defineActivity("Fails", async (message: string) => {
  throw new RangeError(message);
});
const catches = defineOrchestration("Catches", async (ctx) => {
  try {
    await ctx.callActivity(fails, "nope");
    return "unreachable";
  } catch (error) {
    if (error instanceof TaskFailedError) return { type: error.failureDetails.errorType, message: error.failureDetails.message };
    throw error;
  }
});
const uncaught = defineOrchestration("Uncaught", async (ctx) => ctx.callActivity(fails, "bad thing"));

describe("basics on Azurite", () => {
  let hub: Harness;
  beforeAll(async () => {
    hub = await startHarness({ orchestrations: [helloCities, catches, uncaught], activities: [sayHello, fails] });
  });
  afterAll(() => hub.stop());

  it("runs the README example", async () => {
    const id = await hub.client.startOrchestration(helloCities, { input: ["Tokyo", "London"] });
    const status = await hub.client.waitForCompletion(id, { timeoutMs: 30_000 });
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual(["Hello Tokyo!", "Hello London!"]);
    expect(status.input).toEqual(["Tokyo", "London"]);
    expect(status.name).toBe("HelloCities");
  });

  it("lets the orchestrator catch an activity failure", async () => {
    const id = await hub.client.startOrchestration(catches);
    const status = await hub.client.waitForCompletion(id, { timeoutMs: 30_000 });
    expect(status.output).toEqual({ type: "RangeError", message: "nope" });
  });

  it("fails the instance with details when a failure is not caught", async () => {
    const id = await hub.client.startOrchestration(uncaught);
    const status = await hub.client.waitForCompletion(id, { timeoutMs: 30_000 });
    expect(status.runtimeStatus).toBe("Failed");
    expect(status.failureDetails?.errorType).toBe("TaskFailedError");
    expect(status.failureDetails?.message).toContain("bad thing");
    expect(status.failureDetails?.innerFailure?.errorType).toBe("RangeError");
  });
});
