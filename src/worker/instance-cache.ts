import type { InstanceState } from "../core/episode.js";
import type { OrchestrationSession } from "../core/session.js";
import type { InstanceRecord } from "../azure-storage/instance-store.js";

/** What a worker remembers about an instance between episodes. */
export interface CachedInstance {
  /** The committed execution; `undefined` while only a placeholder sentinel exists. */
  state: InstanceState | undefined;
  etag: string;
  checkpoint: number;
  firstPosition: number;
  /** Blobs the committed rows refer to. */
  blobs: string[];
  /** The Instances row as last written or read (saves a read before the next write). */
  instanceRow: InstanceRecord | undefined;
  /** The live orchestrator coroutine, when still running. */
  session: OrchestrationSession | undefined;
}

/** A bounded least-recently-used map of instances; a miss costs a history load and a replay. */
export class InstanceCache {
  readonly #entries = new Map<string, CachedInstance>();
  readonly #capacity: number;
  hits = 0;
  misses = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(instanceId: string): CachedInstance | undefined {
    const entry = this.#entries.get(instanceId);
    if (entry === undefined) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    this.#entries.delete(instanceId);
    this.#entries.set(instanceId, entry);
    return entry;
  }

  set(instanceId: string, entry: CachedInstance): void {
    this.#entries.delete(instanceId);
    this.#entries.set(instanceId, entry);
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  delete(instanceId: string): void {
    this.#entries.delete(instanceId);
  }

  get size(): number {
    return this.#entries.size;
  }
}
