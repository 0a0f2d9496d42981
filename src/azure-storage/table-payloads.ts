import type { PayloadStore, StoredPayload } from "./payload-store.js";
import { fitsTable } from "./payload-store.js";

/** A table entity's user columns. */
export type EntityColumns = Record<string, unknown>;

/**
 * Writes a text column that may be too large for a table property: small values go to `column`, large ones to a
 * blob whose name goes to `{column}Blob`. Both columns are always set, so a Replace clears the stale one.
 */
export async function setTextColumn(entity: EntityColumns, column: string, text: string | undefined, payloads: PayloadStore, owner: string): Promise<void> {
  if (text === undefined) {
    entity[column] = null;
    entity[`${column}Blob`] = null;
    return;
  }
  const stored = await payloads.store(text, owner, fitsTable);
  entity[column] = stored.inline ?? null;
  entity[`${column}Blob`] = stored.blob ?? null;
}

/** Reads a column written by {@link setTextColumn}. */
export async function getTextColumn(entity: EntityColumns, column: string, payloads: PayloadStore): Promise<string | undefined> {
  const stored = storedColumn(entity, column);
  return stored === undefined ? undefined : payloads.load(stored);
}

/** The stored form of a column written by {@link setTextColumn}, without loading blobs. */
export function storedColumn(entity: EntityColumns, column: string): StoredPayload | undefined {
  const blob = entity[`${column}Blob`];
  if (typeof blob === "string" && blob !== "") return { blob };
  const inline = entity[column];
  return typeof inline === "string" ? { inline } : undefined;
}
