import type { Logger } from "../core/logger.js";
import type { ReceivedMessage } from "../azure-storage/message-queues.js";
import type { TaskHubStorage } from "../azure-storage/task-hub-storage.js";
import type { ControlDelivery, EpisodeProcessor } from "./episode-processor.js";
import { Poller } from "./poller.js";
import type { CompiledWorkerOptions } from "./worker-options.js";

interface InstanceWork {
  pending: ControlDelivery[];
  running: boolean;
}

/**
 * Receives from the control queues this worker owns, groups messages by instance and runs one episode at a time
 * per instance, at most `maxConcurrentOrchestrations` at once. Stops receiving while its buffer is full.
 */
export class OrchestrationDispatcher {
  readonly #storage: TaskHubStorage;
  readonly #processor: EpisodeProcessor;
  readonly #options: CompiledWorkerOptions;
  readonly #logger: Logger;
  readonly #instances = new Map<string, InstanceWork>();
  readonly #ready: string[] = [];
  readonly #pollers = new Map<string, Poller>();
  readonly #loops: Promise<void>[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  readonly #capacityWaiters: (() => void)[] = [];
  #running = 0;
  #buffered = 0;
  episodes = 0;

  constructor(storage: TaskHubStorage, processor: EpisodeProcessor, options: CompiledWorkerOptions, logger: Logger) {
    this.#storage = storage;
    this.#processor = processor;
    this.#options = options;
    this.#logger = logger;
  }

  /** Starts polling the given control queues until `signal` aborts. */
  start(queueNames: readonly string[], signal: AbortSignal): void {
    signal.addEventListener("abort", () => {
      for (const resume of this.#capacityWaiters.splice(0)) resume();
    });
    for (const queueName of queueNames) {
      const poller = new Poller({ minIntervalMs: 10, maxIntervalMs: this.#options.maxPollingIntervalMs });
      this.#pollers.set(queueName, poller);
      this.#loops.push(this.#poll(queueName, poller, signal));
    }
  }

  /** Wakes the poller of a queue (this process just sent to it). */
  wake(queueName: string): void {
    this.#pollers.get(queueName)?.wake();
  }

  /** Resolves when every poll loop has ended. */
  async stopped(): Promise<void> {
    await Promise.all(this.#loops);
  }

  /** Resolves when no episode is running or waiting. */
  idle(): Promise<void> {
    if (this.#buffered === 0 && this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Messages received but not yet settled. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Makes every buffered message visible again at once (shutdown: other workers take over). */
  async abandonBuffered(): Promise<void> {
    const queues = this.#storage.queues;
    const waiting = [...this.#instances.values()].flatMap((work) => work.pending.splice(0));
    this.#buffered -= waiting.length;
    await Promise.allSettled(waiting.map(({ received }) => queues.setVisibility(received, 0)));
    this.#notifyIdle();
  }

  async #poll(queueName: string, poller: Poller, signal: AbortSignal): Promise<void> {
    const queues = this.#storage.queues;
    const visibilitySeconds = Math.ceil(this.#options.controlVisibilityMs / 1000);
    while (!signal.aborted) {
      if (this.#buffered >= this.#options.maxBufferedMessages) {
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
      work = { pending: [], running: false };
      this.#instances.set(instanceId, work);
    }
    work.pending.push(delivery);
    this.#buffered += 1;
    if (!work.running && !this.#ready.includes(instanceId)) this.#ready.push(instanceId);
    this.#pump();
  }

  #pump(): void {
    while (this.#running < this.#options.maxConcurrentOrchestrations && this.#ready.length > 0) {
      const instanceId = this.#ready.shift();
      if (instanceId === undefined) break;
      const work = this.#instances.get(instanceId);
      if (work === undefined || work.running || work.pending.length === 0) continue;
      const batch = work.pending.splice(0);
      work.running = true;
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
      await Promise.allSettled(batch.map(({ received }) => queues.setVisibility(received, Math.min(2 ** received.dequeueCount, 60))));
    } finally {
      this.#buffered -= batch.length;
      this.#running -= 1;
      work.running = false;
      if (work.pending.length > 0) this.#ready.push(instanceId);
      else this.#instances.delete(instanceId);
      for (const resume of this.#capacityWaiters.splice(0)) resume();
      this.#pump();
      this.#notifyIdle();
    }
  }

  #notifyIdle(): void {
    if (this.#buffered === 0 && this.#running === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
