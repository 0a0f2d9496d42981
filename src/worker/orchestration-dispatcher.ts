import type { Logger } from "../core/logger.js";
import type { ReceivedMessage } from "../azure-storage/message-queues.js";
import type { TaskHubStorage } from "../azure-storage/task-hub-storage.js";
import type { ControlDelivery, EpisodeProcessor } from "./episode-processor.js";
import { Poller } from "./poller.js";
import type { CompiledWorkerOptions } from "./worker-options.js";

interface InstanceWork {
  pending: ControlDelivery[];
  running: ControlDelivery[] | undefined;
}

interface Listener {
  abort: AbortController;
  poller: Poller;
  loop: Promise<void>;
}

/**
 * Receives from the control queues this worker listens to, groups messages by instance and runs one episode at a
 * time per instance, at most `maxConcurrentOrchestrations` at once. Stops receiving while its buffer is full, and
 * keeps held messages invisible until they are settled.
 */
export class OrchestrationDispatcher {
  readonly #storage: TaskHubStorage;
  readonly #processor: EpisodeProcessor;
  readonly #options: CompiledWorkerOptions;
  readonly #logger: Logger;
  readonly #instances = new Map<string, InstanceWork>();
  readonly #ready: string[] = [];
  readonly #listeners = new Map<string, Listener>();
  readonly #settledWaiters: (() => void)[] = [];
  readonly #capacityWaiters: (() => void)[] = [];
  readonly #held = new Map<ReceivedMessage, number>();
  #renewal: NodeJS.Timeout | undefined;
  #running = 0;
  episodes = 0;

  constructor(storage: TaskHubStorage, processor: EpisodeProcessor, options: CompiledWorkerOptions, logger: Logger) {
    this.#storage = storage;
    this.#processor = processor;
    this.#options = options;
    this.#logger = logger;
  }

  /** Starts receiving from a control queue (idempotent). */
  listen(queueName: string): void {
    if (this.#listeners.has(queueName)) return;
    const abort = new AbortController();
    const poller = new Poller({ minIntervalMs: 10, maxIntervalMs: this.#options.maxPollingIntervalMs });
    this.#listeners.set(queueName, { abort, poller, loop: this.#poll(queueName, poller, abort.signal) });
    this.#renewal ??= setInterval(() => void this.#renewHeld(), Math.max(1_000, this.#options.controlVisibilityMs / 3));
  }

  /**
   * Stops receiving from a control queue, makes its waiting messages visible again at once, and resolves when no
   * episode of that queue is running any more (the queue is drained).
   */
  async unlisten(queueName: string): Promise<void> {
    const listener = this.#listeners.get(queueName);
    if (listener !== undefined) {
      listener.abort.abort();
      for (const resume of this.#capacityWaiters.splice(0)) resume();
      await listener.loop;
      this.#listeners.delete(queueName);
    }
    const waiting: ControlDelivery[] = [];
    for (const work of this.#instances.values()) {
      const keep = work.pending.filter((delivery) => delivery.received.queueName !== queueName);
      waiting.push(...work.pending.filter((delivery) => delivery.received.queueName === queueName));
      work.pending = keep;
    }
    for (const { received } of waiting) this.#held.delete(received);
    await Promise.allSettled(waiting.map(({ received }) => this.#storage.queues.setVisibility(received, 0)));
    this.#notifySettled();
    while (this.#runningOn(queueName)) await new Promise<void>((resolve) => this.#settledWaiters.push(resolve));
    if (this.#listeners.size === 0 && this.#renewal !== undefined) {
      clearInterval(this.#renewal);
      this.#renewal = undefined;
    }
  }

  /** Queues this worker receives from. */
  get listening(): string[] {
    return [...this.#listeners.keys()];
  }

  /** Wakes the poller of a queue (this process just sent to it). */
  wake(queueName: string): void {
    this.#listeners.get(queueName)?.poller.wake();
  }

  /** Messages received but not yet settled. */
  get buffered(): number {
    return this.#held.size;
  }

  #runningOn(queueName: string): boolean {
    for (const work of this.#instances.values()) {
      if (work.running?.some((delivery) => delivery.received.queueName === queueName) === true) return true;
    }
    return false;
  }

  async #poll(queueName: string, poller: Poller, signal: AbortSignal): Promise<void> {
    const queues = this.#storage.queues;
    const visibilitySeconds = Math.ceil(this.#options.controlVisibilityMs / 1000);
    while (!signal.aborted) {
      if (this.#held.size >= this.#options.maxBufferedMessages) {
        await new Promise<void>((resolve) => this.#capacityWaiters.push(resolve));
        continue;
      }
      let received: ReceivedMessage[] = [];
      try {
        received = await queues.receive(queueName, 32, visibilitySeconds, signal);
      } catch (error) {
        if (signal.aborted) break;
        this.#logger.warn("control queue receive failed", { queueName, error: String(error) });
      }
      poller.record(received.length);
      if (signal.aborted) {
        // Lost the queue while receiving: let the new owner have these at once.
        await Promise.allSettled(received.map((message) => queues.setVisibility(message, 0)));
        break;
      }
      for (const message of received) await this.#accept(message);
      await poller.wait(signal);
    }
  }

  async #accept(received: ReceivedMessage): Promise<void> {
    const queues = this.#storage.queues;
    try {
      if (received.dequeueCount > this.#options.maxDequeueCount) {
        await queues.moveToPoison(received, `received ${received.dequeueCount} times without being processed (maxDequeueCount ${this.#options.maxDequeueCount})`);
        this.#logger.error("message moved to the poison queue", { queueName: received.queueName, messageId: received.messageId, reason: "dequeue count" });
        return;
      }
      const decoded = await queues.decode(received);
      if (!decoded.ok || decoded.message.kind !== "control") {
        const reason = decoded.ok ? "a work item arrived on a control queue" : decoded.reason;
        await queues.moveToPoison(received, reason);
        this.#logger.error("message moved to the poison queue", { queueName: received.queueName, messageId: received.messageId, reason });
        return;
      }
      this.#enqueue({ received, message: decoded.message });
    } catch (error) {
      this.#logger.warn("could not accept message", { queueName: received.queueName, messageId: received.messageId, error: String(error) });
    }
  }

  #enqueue(delivery: ControlDelivery): void {
    const instanceId = delivery.message.instanceId;
    let work = this.#instances.get(instanceId);
    if (work === undefined) {
      work = { pending: [], running: undefined };
      this.#instances.set(instanceId, work);
    }
    work.pending.push(delivery);
    this.#held.set(delivery.received, Date.now());
    if (work.running === undefined && !this.#ready.includes(instanceId)) this.#ready.push(instanceId);
    this.#pump();
  }

  #pump(): void {
    while (this.#running < this.#options.maxConcurrentOrchestrations && this.#ready.length > 0) {
      const instanceId = this.#ready.shift();
      if (instanceId === undefined) break;
      const work = this.#instances.get(instanceId);
      if (work === undefined || work.running !== undefined || work.pending.length === 0) continue;
      const batch = work.pending.splice(0);
      work.running = batch;
      this.#running += 1;
      void this.#runEpisode(instanceId, work, batch);
    }
  }

  async #runEpisode(instanceId: string, work: InstanceWork, batch: ControlDelivery[]): Promise<void> {
    try {
      await this.#processor.process(instanceId, batch);
      this.episodes += 1;
    } catch (error) {
      this.#logger.warn("episode failed; messages abandoned for a retry", { instanceId, error: String(error) });
      const queues = this.#storage.queues;
      const backoff = (received: ReceivedMessage): number => (isLeaseLost(error) ? 0 : Math.min(2 ** received.dequeueCount, 60));
      await Promise.allSettled(batch.map(({ received }) => queues.setVisibility(received, backoff(received))));
    } finally {
      for (const { received } of batch) this.#held.delete(received);
      this.#running -= 1;
      work.running = undefined;
      if (work.pending.length > 0) this.#ready.push(instanceId);
      else this.#instances.delete(instanceId);
      for (const resume of this.#capacityWaiters.splice(0)) resume();
      this.#pump();
      this.#notifySettled();
    }
  }

  /** Keeps messages that wait in memory (or in a long episode) invisible to other workers. */
  async #renewHeld(): Promise<void> {
    const threshold = Date.now() - this.#options.controlVisibilityMs / 3;
    const stale = [...this.#held].filter(([, since]) => since < threshold).map(([received]) => received);
    await Promise.allSettled(
      stale.map(async (received) => {
        if (await this.#storage.queues.setVisibility(received, this.#options.controlVisibilityMs / 1000)) this.#held.set(received, Date.now());
      }),
    );
  }

  #notifySettled(): void {
    for (const resolve of this.#settledWaiters.splice(0)) resolve();
  }
}

function isLeaseLost(error: unknown): boolean {
  return error instanceof Error && error.name === "PartitionLeaseLostError";
}
