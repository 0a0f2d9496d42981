import type { QueueClient } from "@azure/storage-queue";
import type { TaskHubMessage } from "../core/messages.js";
import { partitionOf } from "../core/partition.js";
import type { StorageClients } from "./connection.js";
import { decodeEnvelope, messageProblem, type WireEnvelope } from "./message-codec.js";
import { escapeKey, type TaskHubNames } from "./names.js";
import { fitsQueue, type PayloadStore } from "./payload-store.js";
import { isMessageGone } from "./storage-errors.js";

/** Longest visibility delay the queue service accepts (7 days), less a safety margin. */
export const MAX_QUEUE_DELAY_MS = 6 * 24 * 3600 * 1000;

/** A message as received from a queue, with what is needed to delete or hide it again. */
export interface ReceivedMessage {
  readonly queueName: string;
  readonly messageId: string;
  popReceipt: string;
  readonly dequeueCount: number;
  readonly insertedOn: Date | undefined;
  readonly text: string;
}

/** A received message decoded into a Taskhub message, or the reason it could not be. */
export type DecodedMessage = { ok: true; message: TaskHubMessage } | { ok: false; reason: string };

/** Options of {@link TaskHubQueues}. */
export interface TaskHubQueuesOptions {
  partitionCount: number;
  /**
   * Longest single visibility delay; longer timers hop (re-armed on arrival).
   * @default 6 days
   */
  maxDelayMs?: number;
}

/**
 * Sends, receives and settles Taskhub messages on the control, work-item and poison queues. Large messages go to
 * blobs. Listeners registered with {@link onSend} hear about every send so pollers in this process wake at once.
 */
export class TaskHubQueues {
  readonly names: TaskHubNames;
  readonly partitionCount: number;
  readonly maxDelayMs: number;
  readonly #clients = new Map<string, QueueClient>();
  readonly #storage: StorageClients;
  readonly #payloads: PayloadStore;
  readonly #listeners = new Set<(queueName: string) => void>();

  constructor(storage: StorageClients, names: TaskHubNames, payloads: PayloadStore, options: TaskHubQueuesOptions) {
    this.#storage = storage;
    this.names = names;
    this.#payloads = payloads;
    this.partitionCount = options.partitionCount;
    this.maxDelayMs = options.maxDelayMs ?? MAX_QUEUE_DELAY_MS;
  }

  /** The queue client for a queue name (cached). */
  client(queueName: string): QueueClient {
    let client = this.#clients.get(queueName);
    if (client === undefined) {
      client = this.#storage.queue(queueName);
      this.#clients.set(queueName, client);
    }
    return client;
  }

  /** Every queue of the hub. */
  allQueueNames(): string[] {
    const names = [this.names.workItemQueue, this.names.poisonQueue];
    for (let partition = 0; partition < this.partitionCount; partition++) names.push(this.names.controlQueue(partition));
    return names;
  }

  /** The queue a message travels on. */
  queueFor(message: TaskHubMessage): string {
    return message.kind === "work" ? this.names.workItemQueue : this.names.controlQueue(partitionOf(message.instanceId, this.partitionCount));
  }

  /** Registers a listener called after every send; returns a function that removes it. */
  onSend(listener: (queueName: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Encodes a message as queue text, moving it to a blob when it is too large. */
  async encode(message: TaskHubMessage): Promise<string> {
    const text = JSON.stringify({ v: 1, message } satisfies WireEnvelope);
    if (fitsQueue(text)) return text;
    const stored = await this.#payloads.store(text, escapeKey(message.instanceId), () => false);
    return JSON.stringify({ v: 1, id: message.id, instanceId: message.instanceId, blob: stored.blob ?? "" } satisfies WireEnvelope);
  }

  /** Sends a message; a future `visibleAt` delays it (hopping when beyond the queue's limit). */
  async send(message: TaskHubMessage, now = Date.now()): Promise<void> {
    await this.sendEncoded(this.queueFor(message), await this.encode(message), message.kind === "control" ? message.visibleAt : undefined, now);
  }

  /** Sends already-encoded text to a queue. */
  async sendEncoded(queueName: string, text: string, visibleAt: string | undefined, now = Date.now()): Promise<void> {
    const delayMs = visibleAt === undefined ? 0 : Math.min(Math.max(0, Date.parse(visibleAt) - now), this.maxDelayMs);
    const visibilityTimeout = Math.ceil(delayMs / 1000);
    await this.client(queueName).sendMessage(text, { messageTimeToLive: -1, ...(visibilityTimeout > 0 ? { visibilityTimeout } : {}) });
    if (visibilityTimeout === 0) for (const listener of this.#listeners) listener(queueName);
  }

  /** Receives up to `max` (≤ 32) messages, hiding them for `visibilitySeconds`. */
  async receive(queueName: string, max: number, visibilitySeconds: number, abortSignal?: AbortSignal): Promise<ReceivedMessage[]> {
    const response = await this.client(queueName).receiveMessages({
      numberOfMessages: Math.max(1, Math.min(32, max)),
      visibilityTimeout: visibilitySeconds,
      ...(abortSignal === undefined ? {} : { abortSignal }),
    });
    return response.receivedMessageItems.map((item) => ({
      queueName,
      messageId: item.messageId,
      popReceipt: item.popReceipt,
      dequeueCount: item.dequeueCount,
      insertedOn: item.insertedOn,
      text: item.messageText,
    }));
  }

  /** Decodes a received message, fetching its blob when it was offloaded. */
  async decode(received: ReceivedMessage): Promise<DecodedMessage> {
    const decoded = decodeEnvelope(received.text);
    if (!decoded.ok) return decoded;
    const envelope = decoded.envelope;
    if (!("blob" in envelope)) return { ok: true, message: envelope.message };
    let text: string;
    try {
      text = await this.#payloads.load({ blob: envelope.blob });
    } catch (error) {
      return { ok: false, reason: `payload blob "${envelope.blob}" could not be read: ${(error as Error).message}` };
    }
    const inner = decodeEnvelope(text);
    if (!inner.ok) return inner;
    if ("blob" in inner.envelope) return { ok: false, reason: "blob envelope points at another blob envelope" };
    const problem = messageProblem(inner.envelope.message);
    return problem === undefined ? { ok: true, message: inner.envelope.message } : { ok: false, reason: problem };
  }

  /** Deletes a received message; a message that is already gone or was received again is not an error. */
  async delete(received: ReceivedMessage): Promise<boolean> {
    try {
      await this.client(received.queueName).deleteMessage(received.messageId, received.popReceipt);
      return true;
    } catch (error) {
      if (isMessageGone(error)) return false;
      throw error;
    }
  }

  /** Hides a received message for `seconds` more (renewal, or abandon with back-off when small). */
  async setVisibility(received: ReceivedMessage, seconds: number): Promise<boolean> {
    try {
      const response = await this.client(received.queueName).updateMessage(received.messageId, received.popReceipt, undefined, Math.max(0, Math.round(seconds)));
      if (response.popReceipt !== undefined) received.popReceipt = response.popReceipt;
      return true;
    } catch (error) {
      if (isMessageGone(error)) return false;
      throw error;
    }
  }

  /** Deletes the blob of a consumed message that travelled as a blob envelope (no-op for inline messages). */
  async deleteEnvelopeBlob(received: ReceivedMessage): Promise<void> {
    const decoded = decodeEnvelope(received.text);
    if (decoded.ok && "blob" in decoded.envelope) await this.#payloads.delete([decoded.envelope.blob]);
  }

  /** Moves a message to the poison queue with the reason, then deletes the original. Nothing is dropped silently. */
  async moveToPoison(received: ReceivedMessage, reason: string): Promise<void> {
    const record = {
      v: 1,
      poison: { queueName: received.queueName, messageId: received.messageId, dequeueCount: received.dequeueCount, reason, movedAt: new Date().toISOString() },
      text: received.text,
    };
    let text = JSON.stringify(record);
    if (!fitsQueue(text)) {
      const stored = await this.#payloads.store(received.text, "poison", () => false);
      text = JSON.stringify({ ...record, text: undefined, textBlob: stored.blob });
    }
    await this.client(this.names.poisonQueue).sendMessage(text, { messageTimeToLive: -1 });
    await this.delete(received);
  }
}
