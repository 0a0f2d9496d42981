import type { ActivityContext } from "../core/definitions.js";
import { toFailureDetails } from "../core/failure.js";
import { fromJsonText, toJsonText } from "../core/json.js";
import type { Logger } from "../core/logger.js";
import type { ControlMessage, WorkItemMessage } from "../core/messages.js";
import { ActivityNotFoundError } from "../core/task-errors.js";
import type { ReceivedMessage } from "../azure-storage/message-queues.js";
import type { TaskHubStorage } from "../azure-storage/task-hub-storage.js";
import { Poller } from "./poller.js";
import type { Registry } from "./registry.js";
import type { CompiledWorkerOptions } from "./worker-options.js";

/**
 * Competes for work items on the shared queue, runs activities with a concurrency limit, keeps long-running ones
 * invisible, and reports each result to the orchestration's control queue before deleting the work item.
 */
export class ActivityDispatcher {
  readonly #storage: TaskHubStorage;
  readonly #registry: Registry;
  readonly #options: CompiledWorkerOptions;
  readonly #logger: Logger;
  readonly #poller: Poller;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  readonly #aborted = new Promise<undefined>((resolve) => this.#abort.signal.addEventListener("abort", () => resolve(undefined), { once: true }));
  #slotWaiter: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  executed = 0;

  constructor(storage: TaskHubStorage, registry: Registry, options: CompiledWorkerOptions, logger: Logger) {
    this.#storage = storage;
    this.#registry = registry;
    this.#options = options;
    this.#logger = logger;
    this.#poller = new Poller({ minIntervalMs: 10, maxIntervalMs: options.maxPollingIntervalMs });
  }

  /** Starts receiving until `signal` aborts. */
  start(signal: AbortSignal): void {
    signal.addEventListener("abort", () => this.#slotWaiter?.());
    this.#loop = this.#poll(signal);
  }

  /** Wakes the poller (this process just sent a work item). */
  wake(): void {
    this.#poller.wake();
  }

  /** Waits for the receive loop to end and in-flight activities to finish, up to `graceMs`; then abandons the rest. */
  async drain(graceMs: number): Promise<void> {
    await this.#loop;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.#inFlight]), deadline]);
    clearTimeout(timer);
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #poll(signal: AbortSignal): Promise<void> {
    const queues = this.#storage.queues;
    const queueName = this.#storage.names.workItemQueue;
    const visibilitySeconds = Math.ceil(this.#options.activityVisibilityMs / 1000);
    while (!signal.aborted) {
      const free = this.#options.maxConcurrentActivities - this.#inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.#slotWaiter = resolve));
        this.#slotWaiter = undefined;
        continue;
      }
      let received: ReceivedMessage[] = [];
      try {
        received = await queues.receive(queueName, Math.min(32, free), visibilitySeconds, signal);
      } catch (error) {
        if (signal.aborted) break;
        this.#logger.warn("work-item receive failed", { error: String(error) });
      }
      this.#poller.record(received.length);
      for (const message of received) {
        const run = this.#handle(message).catch((error: unknown) => {
          this.#logger.warn("work item failed; it will be retried", { messageId: message.messageId, error: String(error) });
        });
        this.#inFlight.add(run);
        void run.finally(() => {
          this.#inFlight.delete(run);
          this.#slotWaiter?.();
        });
      }
      await this.#poller.wait(signal);
    }
  }

  async #handle(received: ReceivedMessage): Promise<void> {
    const queues = this.#storage.queues;
    if (received.dequeueCount > this.#options.maxDequeueCount) {
      await queues.moveToPoison(received, `received ${received.dequeueCount} times without completing (maxDequeueCount ${this.#options.maxDequeueCount})`);
      this.#logger.error("work item moved to the poison queue", { messageId: received.messageId, reason: "dequeue count" });
      return;
    }
    const decoded = await queues.decode(received);
    if (!decoded.ok || decoded.message.kind !== "work") {
      const reason = decoded.ok ? "a control message arrived on the work-item queue" : decoded.reason;
      await queues.moveToPoison(received, reason);
      this.#logger.error("work item moved to the poison queue", { messageId: received.messageId, reason });
      return;
    }
    const item = decoded.message;
    const renewal = setInterval(() => {
      queues.setVisibility(received, this.#options.activityVisibilityMs / 1000).catch((error: unknown) => {
        this.#logger.warn("could not renew a work item", { messageId: received.messageId, error: String(error) });
      });
    }, this.#options.activityVisibilityMs / 2);
    let result: ControlMessage["event"] | undefined;
    try {
      result = await Promise.race([this.#execute(item), this.#aborted]);
    } finally {
      clearInterval(renewal);
    }
    if (result === undefined || this.#abort.signal.aborted) {
      // The worker is stopping and gave up on this activity: let another worker run it now.
      await queues.setVisibility(received, 0);
      return;
    }
    const reply: ControlMessage = { kind: "control", id: `${item.id}:result`, instanceId: item.instanceId, executionId: item.executionId, event: result };
    await queues.send(reply);
    this.executed += 1;
    if (await queues.delete(received)) await queues.deleteEnvelopeBlob(received);
  }

  async #execute(item: WorkItemMessage): Promise<ControlMessage["event"]> {
    const timestamp = (): string => new Date().toISOString();
    const activity = this.#registry.activity(item.name);
    try {
      if (activity === undefined) throw new ActivityNotFoundError(item.name, this.#registry.activityNames());
      const context: ActivityContext = { instanceId: item.instanceId, executionId: item.executionId, name: item.name, taskId: item.taskId, signal: this.#abort.signal };
      const value: unknown = await activity.run(fromJsonText(item.input), context);
      const result = toJsonText(value, "output");
      return { type: "TaskCompleted", taskId: item.taskId, timestamp: timestamp(), ...(result === undefined ? {} : { result }) };
    } catch (error) {
      return { type: "TaskFailed", taskId: item.taskId, timestamp: timestamp(), failure: toFailureDetails(error) };
    }
  }
}
