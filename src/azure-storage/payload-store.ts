import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import type { ContainerClient } from "@azure/storage-blob";
import { isNotFound } from "./storage-errors.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Longest string kept inline in a table property (64 KiB of UTF-16, with headroom). */
export const TABLE_INLINE_LIMIT_CHARS = 30_000;
/** Largest message text kept inline in a queue message (64 KiB limit, with headroom for encoding). */
export const QUEUE_INLINE_LIMIT_BYTES = 45 * 1024;

/** A payload as stored: inline text, or the name of a gzipped blob holding it. */
export type StoredPayload = { inline: string; blob?: undefined } | { blob: string; inline?: undefined };

/**
 * Moves payloads that exceed queue or table limits into gzipped blobs named `{escapedInstanceId}/{sha256}.json.gz`.
 * Names are content-addressed, so writing the same payload twice costs one upload, and every blob of an instance
 * shares its prefix, so purge can remove them all.
 */
export class PayloadStore {
  readonly #container: ContainerClient;
  readonly #uploaded = new Set<string>();

  constructor(container: ContainerClient) {
    this.#container = container;
  }

  /** Stores `text` inline when it fits `limit` (measured by `measure`), otherwise in a blob under `owner`. */
  async store(text: string, owner: string, fits: (text: string) => boolean): Promise<StoredPayload> {
    if (fits(text)) return { inline: text };
    const name = `${owner}/${createHash("sha256").update(text).digest("hex")}.json.gz`;
    if (!this.#uploaded.has(name)) {
      const body = await gzipAsync(Buffer.from(text, "utf8"));
      await this.#container.getBlockBlobClient(name).uploadData(body, { blobHTTPHeaders: { blobContentType: "application/json", blobContentEncoding: "gzip" } });
      this.#remember(name);
    }
    return { blob: name };
  }

  /** Reads a payload back. */
  async load(payload: StoredPayload): Promise<string> {
    if (payload.inline !== undefined) return payload.inline;
    const body = await this.#container.getBlockBlobClient(payload.blob).downloadToBuffer();
    return (await gunzipAsync(body)).toString("utf8");
  }

  /** Deletes blobs by name; missing blobs are fine. */
  async delete(names: Iterable<string>): Promise<void> {
    await Promise.all(
      [...names].map(async (name) => {
        this.#uploaded.delete(name);
        try {
          await this.#container.deleteBlob(name);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }),
    );
  }

  /** Deletes every blob of an instance (all names under `owner/`). Returns how many were deleted. */
  async deleteOwner(owner: string): Promise<number> {
    const names: string[] = [];
    for await (const blob of this.#container.listBlobsFlat({ prefix: `${owner}/` })) names.push(blob.name);
    await this.delete(names);
    return names.length;
  }

  #remember(name: string): void {
    this.#uploaded.add(name);
    if (this.#uploaded.size > 10_000) {
      const oldest = this.#uploaded.values().next().value;
      if (oldest !== undefined) this.#uploaded.delete(oldest);
    }
  }
}

/** True when `text` fits a table string property. */
export const fitsTable = (text: string): boolean => text.length <= TABLE_INLINE_LIMIT_CHARS;

/** True when `text` fits a queue message. */
export const fitsQueue = (text: string): boolean => Buffer.byteLength(text, "utf8") <= QUEUE_INLINE_LIMIT_BYTES;
