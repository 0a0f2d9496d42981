import { describe, expect, it } from "vitest";
import { fnv1a32, partitionOf } from "../../src/core/partition.js";
import { toJsonText } from "../../src/core/json.js";
import { InvalidPayloadError } from "../../src/core/errors.js";
import { nextRetryDelay, validateRetryOptions } from "../../src/core/retry.js";
import { toFailureDetails } from "../../src/core/failure.js";
import { escapeKey, parsePositionRowKey, positionRowKey, taskHubNames, validateInstanceId } from "../../src/azure-storage/names.js";
import { decodeEnvelope } from "../../src/azure-storage/message-codec.js";

describe("partition routing", () => {
  it("matches the original provider's FNV-1a test vector", () => {
    expect(fnv1a32("abc")).toBe(0x1a47e90b);
    expect(partitionOf("abc", 4)).toBe(3);
  });
  it("hashes UTF-8 bytes", () => {
    expect(fnv1a32("é")).not.toBe(fnv1a32("e"));
  });
});

describe("toJsonText", () => {
  it("accepts plain JSON values and dates", () => {
    expect(toJsonText({ a: [1, "x", null, true], d: new Date(0) }, "input")).toBe('{"a":[1,"x",null,true],"d":"1970-01-01T00:00:00.000Z"}');
    expect(toJsonText(undefined, "input")).toBeUndefined();
  });
  it.each([
    ["BigInt", { a: 1n }, "input.a"],
    ["function", { f: () => 1 }, "input.f"],
    ["symbol", [Symbol("s")], "input[0]"],
    ["NaN", { n: Number.NaN }, "input.n"],
    ["Map", { m: new Map() }, "input.m"],
    ["undefined in array", [1, undefined], "input[1]"],
  ])("rejects %s naming the path", (_label, value, path) => {
    expect(() => toJsonText(value, "input")).toThrow(InvalidPayloadError);
    try {
      toJsonText(value, "input");
    } catch (error) {
      expect((error as InvalidPayloadError).field).toBe(path);
      expect((error as InvalidPayloadError).code).toBe("TASKHUB_INVALID_PAYLOAD");
    }
  });
  it("rejects cycles", () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => toJsonText(a, "input")).toThrow(/cycle/);
  });
  it("accepts shared (non-cyclic) references", () => {
    const shared = { x: 1 };
    expect(toJsonText([shared, shared], "input")).toBe('[{"x":1},{"x":1}]');
  });
});

describe("retry policy", () => {
  const failure = { errorType: "Error", message: "x" };
  it("backs off and caps the delay", () => {
    const options = { maxAttempts: 5, firstRetryIntervalMs: 100, backoffCoefficient: 2, maxRetryIntervalMs: 300 };
    expect([1, 2, 3, 4].map((attempt) => nextRetryDelay(options, attempt, 0, failure))).toEqual([100, 200, 300, 300]);
    expect(nextRetryDelay(options, 5, 0, failure)).toBeUndefined();
  });
  it("stops on the predicate and the total timeout", () => {
    expect(nextRetryDelay({ maxAttempts: 5, firstRetryIntervalMs: 100, handle: () => false }, 1, 0, failure)).toBeUndefined();
    expect(nextRetryDelay({ maxAttempts: 5, firstRetryIntervalMs: 100, retryTimeoutMs: 150 }, 1, 100, failure)).toBeUndefined();
  });
  it("names the bad field", () => {
    expect(() => validateRetryOptions({ maxAttempts: 0, firstRetryIntervalMs: 1 })).toThrow(/options\.retry\.maxAttempts/);
    expect(() => validateRetryOptions({ maxAttempts: 2, firstRetryIntervalMs: -1 })).toThrow(/firstRetryIntervalMs/);
  });
});

describe("failure details", () => {
  it("describes non-Error throws without evaluating them", () => {
    expect(toFailureDetails("plain")).toEqual({ errorType: "string", message: "plain" });
    expect(toFailureDetails(42)).toMatchObject({ errorType: "number", message: "Non-Error value thrown: 42" });
    expect(toFailureDetails(null).errorType).toBe("null");
  });
});

describe("names and keys", () => {
  it("derives resource names and validates the hub", () => {
    const names = taskHubNames("MyHub1");
    expect(names.controlQueue(3)).toBe("myhub1-control-03");
    expect(names.historyTable).toBe("MyHub1History");
    expect(() => taskHubNames("my-hub")).toThrow(/taskHub/);
    expect(() => taskHubNames("ab")).toThrow(/3-45/);
  });
  it("escapes keys without collisions and keeps prefixes", () => {
    expect(escapeKey("a/b\\c#d?e^f")).toBe("a^0b^1c^2d^3e^^f");
    expect(escapeKey("^0")).not.toBe(escapeKey("/"));
    expect(escapeKey("ord/er-1").startsWith(escapeKey("ord/"))).toBe(true);
  });
  it("round-trips positions", () => {
    expect(positionRowKey(26)).toBe("000000000000001A");
    expect(parsePositionRowKey("000000000000001A")).toBe(26);
    expect(parsePositionRowKey("sentinel")).toBeUndefined();
  });
  it("rejects bad instance ids with the reason", () => {
    expect(() => validateInstanceId("")).toThrow(/non-empty/);
    expect(() => validateInstanceId("x".repeat(257))).toThrow(/256/);
    expect(() => validateInstanceId("a\u0001b")).toThrow(/control/);
    expect(() => validateInstanceId(" a")).toThrow(/whitespace/);
    expect(validateInstanceId("order/42#x?")).toBe("order/42#x?");
  });
});

describe("message codec", () => {
  it("reports why foreign or malformed messages are not Taskhub messages", () => {
    expect(decodeEnvelope("hello")).toMatchObject({ ok: false });
    expect(decodeEnvelope("{not json")).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid JSON/) });
    expect(decodeEnvelope('{"v":2}')).toMatchObject({ ok: false, reason: expect.stringMatching(/version/) });
    expect(decodeEnvelope('{"v":1,"message":{"kind":"control","id":"1","instanceId":"i","event":{"type":"Nope","timestamp":"t"}}}')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/unknown control event type/),
    });
  });
  it("accepts Base64-encoded envelopes", () => {
    const text = JSON.stringify({ v: 1, message: { kind: "work", id: "1", instanceId: "i", executionId: "e", taskId: 0, name: "A" } });
    expect(decodeEnvelope(Buffer.from(text).toString("base64"))).toMatchObject({ ok: true });
  });
});
