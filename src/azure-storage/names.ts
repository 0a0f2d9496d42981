import { InvalidArgumentError } from "../core/errors.js";

/** Names of every storage resource of one task hub. */
export interface TaskHubNames {
  readonly hub: string;
  controlQueue(partition: number): string;
  readonly workItemQueue: string;
  readonly poisonQueue: string;
  readonly historyTable: string;
  readonly instancesTable: string;
  readonly partitionsTable: string;
  readonly largeMessageContainer: string;
}

const HUB_PATTERN = /^[A-Za-z][A-Za-z0-9]{2,44}$/;

/** Validates a task hub name (3–45 letters and digits, starting with a letter) and derives resource names. */
export function taskHubNames(hub: string): TaskHubNames {
  if (typeof hub !== "string" || !HUB_PATTERN.test(hub)) {
    throw new InvalidArgumentError("taskHub", `must be 3-45 letters and digits starting with a letter, because it names queues, tables and a container (got ${JSON.stringify(hub)})`);
  }
  const lower = hub.toLowerCase();
  return {
    hub,
    controlQueue: (partition) => `${lower}-control-${String(partition).padStart(2, "0")}`,
    workItemQueue: `${lower}-workitems`,
    poisonQueue: `${lower}-poison`,
    historyTable: `${hub}History`,
    instancesTable: `${hub}Instances`,
    partitionsTable: `${hub}Partitions`,
    largeMessageContainer: `${lower}-largemessages`,
  };
}

/** Longest instance id accepted (its escaped form must fit a 1 KiB table key). */
export const MAX_INSTANCE_ID_LENGTH = 256;

/** Checks an instance id and throws {@link InvalidArgumentError} naming the problem. */
export function validateInstanceId(instanceId: unknown, field = "instanceId"): string {
  if (typeof instanceId !== "string" || instanceId.length === 0) throw new InvalidArgumentError(field, "must be a non-empty string");
  if (instanceId.length > MAX_INSTANCE_ID_LENGTH) throw new InvalidArgumentError(field, `must be at most ${MAX_INSTANCE_ID_LENGTH} characters (got ${instanceId.length})`);
  if (instanceId.trim() !== instanceId) throw new InvalidArgumentError(field, "must not start or end with whitespace");
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (/[\u0000-\u001f\u007f-\u009f]/.test(instanceId)) throw new InvalidArgumentError(field, "must not contain control characters");
  return instanceId;
}

const ESCAPES: Record<string, string> = { "^": "^^", "/": "^0", "\\": "^1", "#": "^2", "?": "^3" };

/**
 * Escapes an instance id for use as a table key or blob-name segment (characters forbidden in table keys become
 * `^`-sequences, as in the original provider). Order-preserving for prefixes: `escapeKey(p)` prefixes `escapeKey(p + s)`.
 */
export function escapeKey(instanceId: string): string {
  return instanceId.replace(/[\^/\\#?]/g, (ch) => ESCAPES[ch] ?? ch);
}

/** Row key of the history event at `position`: 16 upper-case hex digits, so rows sort by position. */
export function positionRowKey(position: number): string {
  return position.toString(16).toUpperCase().padStart(16, "0");
}

/** Parses a history row key back to its position, or `undefined` when the row is not an event row. */
export function parsePositionRowKey(rowKey: string): number | undefined {
  return /^[0-9A-F]{16}$/.test(rowKey) ? Number.parseInt(rowKey, 16) : undefined;
}

/** Escapes a string for an OData filter literal. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
