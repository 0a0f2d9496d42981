// A tiny in-memory host for the pure core: runs episodes, activities and timers without storage.
import { randomUUID } from "node:crypto";
import { setImmediate as yieldMacrotask } from "node:timers/promises";
import { runEpisode, type InstanceState } from "../../src/core/episode.js";
import type { ActivityDefinition, OrchestrationDefinition } from "../../src/core/definitions.js";
import { toFailureDetails } from "../../src/core/failure.js";
import { fromJsonText, toJsonText } from "../../src/core/json.js";
import { silentLogger } from "../../src/core/logger.js";
import type { ControlMessage, TaskHubMessage } from "../../src/core/messages.js";
import { OrchestrationSession } from "../../src/core/session.js";
import type { InstanceProjection } from "../../src/core/status.js";

export class MemoryDriver {
  readonly states = new Map<string, InstanceState>();
  readonly projections = new Map<string, InstanceProjection>();
  readonly sessions = new Map<string, OrchestrationSession>();
  readonly control: ControlMessage[] = [];
  readonly work: TaskHubMessage[] = [];
  readonly sent: TaskHubMessage[] = [];
  readonly dropped: string[] = [];
  now = new Date("2026-01-01T00:00:00Z");
  warm = true;
  activityRuns = 0;

  constructor(
    private readonly orchestrations: OrchestrationDefinition<never, unknown>[],
    private readonly activities: ActivityDefinition<never, unknown>[],
  ) {}

  start(orchestration: string, input?: unknown, instanceId = randomUUID()): string {
    const executionId = randomUUID();
    const inputText = toJsonText(input, "input");
    this.control.push({
      kind: "control",
      id: randomUUID(),
      instanceId,
      event: { type: "ExecutionStarted", name: orchestration, executionId, generation: 0, timestamp: this.now.toISOString(), ...(inputText === undefined ? {} : { input: inputText }) },
    });
    this.pendingStarts.set(instanceId, executionId);
    return instanceId;
  }

  readonly pendingStarts = new Map<string, string>();

  raise(instanceId: string, name: string, data?: unknown): void {
    const input = toJsonText(data, "data");
    this.control.push({ kind: "control", id: randomUUID(), instanceId, event: { type: "EventRaised", name, timestamp: this.now.toISOString(), ...(input === undefined ? {} : { input }) } });
  }

  send(instanceId: string, event: ControlMessage["event"]): void {
    this.control.push({ kind: "control", id: randomUUID(), instanceId, event });
  }

  newSession(instanceId: string): OrchestrationSession {
    return new OrchestrationSession({
      instanceId,
      resolveOrchestration: (name) => this.orchestrations.find((o) => o.name === name) as OrchestrationDefinition | undefined,
      registeredOrchestrations: () => this.orchestrations.map((o) => o.name),
      yieldToHost: () => yieldMacrotask(),
      logger: silentLogger,
    });
  }

  /** Processes everything until no message is due; timers advance the fake clock. */
  async run(maxSteps = 10_000): Promise<void> {
    for (let step = 0; step < maxSteps; step++) {
      const due = this.control.filter((m) => m.visibleAt === undefined || new Date(m.visibleAt) <= this.now);
      if (due.length > 0) {
        const instanceId = due[0]!.instanceId;
        const batch = due.filter((m) => m.instanceId === instanceId);
        for (const m of batch) this.control.splice(this.control.indexOf(m), 1);
        await this.episode(instanceId, batch);
        continue;
      }
      const item = this.work.shift();
      if (item !== undefined) {
        await this.runActivity(item);
        continue;
      }
      const next = this.control.map((m) => new Date(m.visibleAt ?? 0).getTime()).sort((a, b) => a - b)[0];
      if (next === undefined) return;
      this.now = new Date(next);
    }
    throw new Error("driver did not settle");
  }

  async episode(instanceId: string, messages: ControlMessage[]): Promise<void> {
    const requested = this.pendingStarts.get(instanceId);
    const startMessage = messages.find((m) => m.event.type === "ExecutionStarted");
    const result = await runEpisode({
      instanceId,
      state: this.states.get(instanceId),
      session: this.warm ? this.sessions.get(instanceId) : undefined,
      messages,
      requestedStart:
        requested === undefined || startMessage === undefined || startMessage.event.type !== "ExecutionStarted"
          ? undefined
          : { executionId: requested, started: startMessage.event },
      now: this.now,
      newId: () => randomUUID(),
      newSession: () => this.newSession(instanceId),
    });
    for (const d of result.dropped) this.dropped.push(`${d.message.event.type}: ${d.reason}`);
    const previous = this.states.get(instanceId);
    if (result.newExecution !== undefined) {
      this.states.set(instanceId, { executionId: result.newExecution.executionId, history: [...result.appended], runtimeStatus: result.projection?.runtimeStatus ?? "Running", previousMessageIds: result.newExecution.previousMessageIds });
    } else if (previous !== undefined) {
      previous.history.push(...result.appended);
      if (result.projection !== undefined) previous.runtimeStatus = result.projection.runtimeStatus;
    }
    const state = this.states.get(instanceId);
    if (state !== undefined && result.projection?.customStatus !== undefined) state.customStatus = result.projection.customStatus;
    if (result.projection !== undefined) this.projections.set(instanceId, result.projection);
    if (result.session === undefined) this.sessions.delete(instanceId);
    else this.sessions.set(instanceId, result.session);
    for (const message of result.outbox) {
      this.sent.push(message);
      if (message.kind === "work") this.work.push(message);
      else this.control.push(message);
    }
    this.control.push(...result.deferred);
  }

  async runActivity(item: TaskHubMessage): Promise<void> {
    if (item.kind !== "work") return;
    this.activityRuns += 1;
    const activity = this.activities.find((a) => a.name === item.name);
    const base = { kind: "control" as const, id: randomUUID(), instanceId: item.instanceId, executionId: item.executionId };
    const timestamp = this.now.toISOString();
    try {
      if (activity === undefined) throw new Error(`no activity ${item.name}`);
      const ctx = { instanceId: item.instanceId, executionId: item.executionId, name: item.name, taskId: item.taskId, signal: new AbortController().signal };
      const value = await (activity.run as (input: unknown, c: typeof ctx) => unknown)(fromJsonText(item.input), ctx);
      const result = toJsonText(value, "output");
      this.control.push({ ...base, event: { type: "TaskCompleted", taskId: item.taskId, timestamp, ...(result === undefined ? {} : { result }) } });
    } catch (error) {
      this.control.push({ ...base, event: { type: "TaskFailed", taskId: item.taskId, timestamp, failure: toFailureDetails(error) } });
    }
  }

  output(instanceId: string): unknown {
    return fromJsonText(this.projections.get(instanceId)?.output);
  }

  status(instanceId: string): string | undefined {
    return this.projections.get(instanceId)?.runtimeStatus;
  }
}
