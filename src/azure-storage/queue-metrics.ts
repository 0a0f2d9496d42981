import type { TaskHubQueues } from "./message-queues.js";

/** Backlog of one queue, as sampled. */
export interface QueueMetrics {
  queueName: string;
  /** Approximate number of messages, including invisible ones (in flight, or delayed timers). */
  length: number;
  /** Age of the oldest visible message, 0 when none is visible. */
  headAgeMs: number;
}

/** A sample of every queue of a task hub. */
export interface ScaleMetrics {
  partitionCount: number;
  workItems: QueueMetrics;
  controlQueues: QueueMetrics[];
  sampledAt: string;
}


async function sampleQueue(queues: TaskHubQueues, queueName: string, now: number): Promise<QueueMetrics> {
  const client = queues.client(queueName);
  const [properties, peeked] = await Promise.all([client.getProperties(), client.peekMessages({ numberOfMessages: 1 })]);
  const head = peeked.peekedMessageItems[0];
  return {
    queueName,
    length: properties.approximateMessagesCount ?? 0,
    headAgeMs: head === undefined ? 0 : Math.max(0, now - head.insertedOn.getTime()),
  };
}

/** Samples the length and head-message age of every queue of a task hub (two requests per queue). */
export async function sampleScaleMetrics(queues: TaskHubQueues): Promise<ScaleMetrics> {
  const now = Date.now();
  const control = Array.from({ length: queues.partitionCount }, (_, partition) => queues.names.controlQueue(partition));
  const [workItems, ...controlQueues] = await Promise.all([queues.names.workItemQueue, ...control].map((name) => sampleQueue(queues, name, now)));
  return { partitionCount: queues.partitionCount, workItems: workItems ?? { queueName: queues.names.workItemQueue, length: 0, headAgeMs: 0 }, controlQueues, sampledAt: new Date(now).toISOString() };
}
