import type { TaskHubMessage } from "../core/messages.js";

/** The JSON that travels on a queue: the message itself, or a pointer to a blob holding it. */
export type WireEnvelope = { v: 1; message: TaskHubMessage } | { v: 1; id: string; instanceId: string; blob: string };

const CONTROL_EVENT_TYPES = new Set([
  "ExecutionStarted",
  "TaskCompleted",
  "TaskFailed",
  "SubOrchestrationCompleted",
  "SubOrchestrationFailed",
  "TimerFired",
  "EventRaised",
  "ExecutionTerminated",
  "ExecutionSuspended",
  "ExecutionResumed",
]);

/** Result of decoding queue text: an envelope, or the reason it is not one. */
export type DecodeResult = { ok: true; envelope: WireEnvelope } | { ok: false; reason: string };

/** Parses and validates queue text. Accepts raw JSON and Base64-encoded JSON (as Functions producers send). */
export function decodeEnvelope(text: string): DecodeResult {
  let json = text.trim();
  if (!json.startsWith("{")) {
    const decoded = Buffer.from(json, "base64").toString("utf8");
    if (!decoded.trim().startsWith("{")) return { ok: false, reason: "message text is neither JSON nor Base64-encoded JSON" };
    json = decoded;
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, reason: `message is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null) return { ok: false, reason: "message is not a JSON object" };
  const record = value as Record<string, unknown>;
  if (record.v !== 1) return { ok: false, reason: `unknown envelope version ${JSON.stringify(record.v)} (expected 1; not a Taskhub message?)` };
  if (typeof record.blob === "string") {
    if (typeof record.id !== "string" || typeof record.instanceId !== "string") return { ok: false, reason: "blob envelope lacks id or instanceId" };
    return { ok: true, envelope: { v: 1, id: record.id, instanceId: record.instanceId, blob: record.blob } };
  }
  const problem = messageProblem(record.message);
  if (problem !== undefined) return { ok: false, reason: problem };
  return { ok: true, envelope: value as WireEnvelope };
}

/** Validates the shape of a message and describes the first problem, if any. */
export function messageProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "envelope has no message object";
  const message = value as Record<string, unknown>;
  if (typeof message.id !== "string" || message.id === "") return "message.id must be a non-empty string";
  if (typeof message.instanceId !== "string" || message.instanceId === "") return "message.instanceId must be a non-empty string";
  if (message.kind === "work") {
    if (typeof message.executionId !== "string") return "work item lacks executionId";
    if (typeof message.taskId !== "number" || !Number.isInteger(message.taskId)) return "work item taskId must be an integer";
    if (typeof message.name !== "string") return "work item lacks name";
    if (message.input !== undefined && typeof message.input !== "string") return "work item input must be JSON text";
    return undefined;
  }
  if (message.kind !== "control") return `message.kind must be "control" or "work" (got ${JSON.stringify(message.kind)})`;
  const event = message.event as Record<string, unknown> | undefined;
  if (typeof event !== "object" || event === null) return "control message lacks event";
  if (typeof event.type !== "string" || !CONTROL_EVENT_TYPES.has(event.type)) return `unknown control event type ${JSON.stringify(event.type)}`;
  if (typeof event.timestamp !== "string") return "event.timestamp must be an ISO string";
  if ("taskId" in event && typeof event.taskId !== "number") return "event.taskId must be a number";
  if (event.type === "ExecutionStarted" && (typeof event.name !== "string" || typeof event.executionId !== "string")) return "ExecutionStarted lacks name or executionId";
  if (event.type === "EventRaised" && typeof event.name !== "string") return "EventRaised lacks name";
  return undefined;
}
