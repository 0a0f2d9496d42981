import { InvalidPayloadError } from "./errors.js";

/** A value that survives a JSON round trip unchanged. Inputs, outputs, event data and custom status are JSON values. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Serialises `value` to JSON text, refusing anything that would not round-trip: functions, symbols, BigInt,
 * cycles, non-finite numbers, `undefined` inside arrays, and objects that are not plain (Map, Set, class instances).
 * Dates are accepted and become ISO strings, as `JSON.stringify` does. `undefined` at the top level returns `undefined`.
 * @throws {@link InvalidPayloadError} naming the path of the first bad value.
 */
export function toJsonText(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  check(value, field, new Set());
  return JSON.stringify(value);
}

/** Parses JSON text produced by {@link toJsonText}; `undefined` stays `undefined`. */
export function fromJsonText(text: string | undefined): unknown {
  return text === undefined ? undefined : JSON.parse(text);
}

function check(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (!Number.isFinite(value)) throw new InvalidPayloadError(path, `${String(value)} is not representable in JSON`);
      return;
    case "bigint":
      throw new InvalidPayloadError(path, "BigInt is not JSON-serialisable (convert it to a string)");
    case "function":
      throw new InvalidPayloadError(path, "a function is not JSON-serialisable");
    case "symbol":
      throw new InvalidPayloadError(path, "a symbol is not JSON-serialisable");
    case "undefined":
      throw new InvalidPayloadError(path, "undefined is not JSON-serialisable here (use null)");
    case "object":
      break;
  }
  if (value === null) return;
  const object = value;
  if (object instanceof Date) {
    if (Number.isNaN(object.getTime())) throw new InvalidPayloadError(path, "an invalid Date is not JSON-serialisable");
    return;
  }
  if (ancestors.has(object)) throw new InvalidPayloadError(path, "the value contains a cycle");
  ancestors.add(object);
  if (Array.isArray(object)) {
    object.forEach((item: unknown, index) => check(item, `${path}[${index}]`, ancestors));
  } else {
    const proto: unknown = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      const typeName = (object.constructor as { name?: string } | undefined)?.name ?? "object";
      throw new InvalidPayloadError(path, `a ${typeName} is not a plain object and would not survive JSON`);
    }
    for (const [key, item] of Object.entries(object)) {
      if (item === undefined) continue;
      check(item, `${path}.${key}`, ancestors);
    }
  }
  ancestors.delete(object);
}
