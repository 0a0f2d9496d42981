import type { Logger } from "../core/logger.js";
import type { ControlMessage } from "../core/messages.js";
import type { TaskHubStorage } from "../azure-storage/task-hub-storage.js";
import { escapeKey } from "../azure-storage/names.js";
import { isNotFound } from "../azure-storage/storage-errors.js";

/**
 * A client records a start in the Instances table (Pending) before it sends the start message. If the client dies
 * in between, the instance would stay Pending forever; this sweep finds Pending rows older than a grace period
 * whose execution never reached the history table, and sends their start message again (same message id, so a
 * start that was only slow is recognised as a duplicate).
 * @returns how many starts were re-sent
 */
export async function repairPendingStarts(storage: TaskHubStorage, graceMs: number, logger: Logger): Promise<number> {
  const before = new Date(Date.now() - graceMs);
  const historyTable = storage.clients.table(storage.names.historyTable);
  let repaired = 0;
  for await (const page of storage.instances.queryPages({ runtimeStatus: ["Pending"], createdTo: before })) {
    for (const record of page.records) {
      const start = record.pendingStart;
      if (start === undefined) continue;
      const scheduled = start.event.scheduledStartTime;
      if (scheduled !== undefined && Date.parse(scheduled) > before.getTime()) continue;
      let executionId: unknown;
      try {
        executionId = (await historyTable.getEntity(escapeKey(record.projection.instanceId), "sentinel")).ExecutionId;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      if (executionId === start.event.executionId) continue;
      const message: ControlMessage = { kind: "control", id: start.messageId, instanceId: record.projection.instanceId, event: start.event };
      await storage.queues.send(message);
      repaired += 1;
      logger.warn("re-sent the start message of a Pending instance", { instanceId: record.projection.instanceId, executionId: start.event.executionId });
    }
  }
  return repaired;
}
