import type { FailureDetails } from "./failure.js";
import { isCompletionEvent, type EventRaisedEvent, type ExecutionStartedEvent, type HistoryEvent } from "./history.js";
import type { ControlMessage, TaskHubMessage } from "./messages.js";
import type { OrchestrationSession, OrchestratorAction, Outcome } from "./session.js";
import { isTerminalStatus, type InstanceProjection, type RuntimeStatus } from "./status.js";

/** What storage holds for an instance's current execution. */
export interface InstanceState {
  executionId: string;
  /** Events of the current execution, position 0 first. */
  history: HistoryEvent[];
  runtimeStatus: RuntimeStatus;
  customStatus?: string;
  /** Ids of messages consumed by the previous execution (for de-duplication across continue-as-new). */
  previousMessageIds: string[];
}

/** A start the client recorded in the Instances table but which has not run yet. */
export interface RequestedStart {
  executionId: string;
  /** The start event the client enqueued, rebuilt from the Instances row. */
  started: ExecutionStartedEvent;
}

/** Everything an episode needs; the host loads it, the episode decides, the host commits. */
export interface EpisodeInput {
  instanceId: string;
  state: InstanceState | undefined;
  /** A warm session whose applied history equals `state.history`, if the host kept one. */
  session: OrchestrationSession | undefined;
  messages: readonly ControlMessage[];
  /** The pending start in the Instances table, when the host read it (needed for client starts). */
  requestedStart: RequestedStart | undefined;
  now: Date;
  newId: () => string;
  newSession: () => OrchestrationSession;
  /**
   * Stops an orchestration that continues as new this many times in one episode without waiting for anything.
   * @default 1000
   */
  maxContinueAsNewPerEpisode?: number;
}

/** A message that was not applied, and why. */
export interface DroppedMessage {
  message: ControlMessage;
  reason: string;
}

/** The decisions of one episode: what to write, what to send, and what happened to each message. */
export interface EpisodeResult {
  /** New execution started in this episode (history restarts at position 0). */
  newExecution: { executionId: string; previousMessageIds: string[] } | undefined;
  /** Events to write after the current history (or from 0 with `newExecution`). */
  appended: HistoryEvent[];
  /** Messages to send once the commit succeeded. */
  outbox: TaskHubMessage[];
  /** The new status projection; `undefined` when nothing changed. */
  projection: InstanceProjection | undefined;
  /** The session to keep warm, when the execution is still running. */
  session: OrchestrationSession | undefined;
  dropped: DroppedMessage[];
  /** Messages to put back for later (events for an instance whose delayed start has not run yet). */
  deferred: ControlMessage[];
}

const START_FIRST = (a: ControlMessage, b: ControlMessage): number =>
  Number(b.event.type === "ExecutionStarted") - Number(a.event.type === "ExecutionStarted");

/** Runs one episode of an instance: filters and de-duplicates messages, replays, and plans the commit. */
export async function runEpisode(input: EpisodeInput): Promise<EpisodeResult> {
  const result: EpisodeResult = { newExecution: undefined, appended: [], outbox: [], projection: undefined, session: undefined, dropped: [], deferred: [] };
  const now = input.now.toISOString();
  let state = input.state;
  let newStart: ExecutionStartedEvent | undefined;
  const seen = new Set<string>(state?.previousMessageIds);
  const completed = new Set<number>();
  for (const event of state?.history ?? []) {
    if (event.messageId !== undefined) seen.add(event.messageId);
    if (isCompletionEvent(event)) completed.add(event.taskId);
  }
  const accepted: HistoryEvent[] = [];
  const drop = (message: ControlMessage, reason: string): void => {
    result.dropped.push({ message, reason });
  };

  for (const message of [...input.messages].sort(START_FIRST)) {
    if (seen.has(message.id)) {
      drop(message, "duplicate message (already applied)");
      continue;
    }
    seen.add(message.id);
    const event = message.event;
    if (event.type === "ExecutionStarted") {
      const verdict = judgeStart(message, event, state, newStart, input.requestedStart);
      if (verdict === "start") {
        newStart = { ...event, messageId: message.id };
      } else {
        drop(message, verdict);
        if (event.parent !== undefined && verdict.startsWith("instance")) {
          result.outbox.push(parentNotice(input.newId(), event, now, { kind: "failed", failure: { errorType: "InstanceAlreadyRunning", message: `Cannot start sub-orchestration: ${verdict}.` } }));
        }
      }
      continue;
    }
    const currentStatus = newStart !== undefined ? "Running" : state?.runtimeStatus;
    const currentExecution = newStart?.executionId ?? state?.executionId;
    if (currentStatus === undefined) {
      if (input.requestedStart !== undefined && event.type === "ExecutionTerminated") {
        newStart = { ...input.requestedStart.started };
        accepted.push({ ...event, messageId: message.id });
      } else if (input.requestedStart !== undefined) {
        result.deferred.push(message);
      } else {
        drop(message, "instance not found");
      }
    } else if (isTerminalStatus(currentStatus) && newStart === undefined) {
      drop(message, `instance is ${currentStatus}`);
    } else if (message.executionId !== undefined && message.executionId !== currentExecution) {
      drop(message, `stale execution ${message.executionId} (current is ${String(currentExecution)})`);
    } else if (isCompletionEvent(event) && completed.has(event.taskId)) {
      drop(message, `duplicate completion of task ${event.taskId}`);
    } else {
      if (isCompletionEvent(event)) completed.add(event.taskId);
      accepted.push({ ...event, messageId: message.id });
    }
  }

  if (newStart === undefined && (state === undefined || accepted.length === 0)) return result;

  const termination = accepted.find((event) => event.type === "ExecutionTerminated");
  if (termination !== undefined) return terminate(input, result, state, newStart, termination, accepted, now);

  let session = input.session;
  let previousMessageIds: string[] | undefined;
  let opening: HistoryEvent[];
  if (newStart !== undefined) {
    previousMessageIds = state === undefined ? [] : messageIdsOf(state.history);
    const generation = state === undefined ? 0 : generationOf(state) + 1;
    newStart = { ...newStart, generation };
    state = { executionId: newStart.executionId, history: [], runtimeStatus: "Running", previousMessageIds };
    result.newExecution = { executionId: newStart.executionId, previousMessageIds };
    session = input.newSession();
    opening = [{ type: "OrchestratorStarted", timestamp: now }, newStart];
  } else {
    if (state === undefined) return result;
    if (session === undefined) {
      session = input.newSession();
      await session.apply(state.history, true);
    }
    opening = [{ type: "OrchestratorStarted", timestamp: now }];
  }

  const limit = input.maxContinueAsNewPerEpisode ?? 1000;
  let incoming = [...opening, ...accepted];
  let appended: HistoryEvent[] = [];
  const customStatusBefore = session.customStatus ?? state.customStatus;
  for (let generations = 0; ; generations++) {
    const consumed = await session.apply(incoming, false);
    appended.push(...incoming.slice(0, consumed));
    const leftover = incoming.slice(consumed);
    const actions = session.takeNewActions();
    const actionEvents = actions.map((action) => actionEvent(action, now));
    appended.push(...actionEvents);
    const started = session.started;
    if (started === undefined) throw new Error("episode without ExecutionStarted");
    result.outbox.push(...actions.map((action) => actionMessage(action, input, started, now)));
    if (session.outcome === undefined) {
      await session.apply(actionEvents, false);
      break;
    }
    const outcome = session.outcome;
    if (outcome.kind !== "continuedAsNew") {
      appended.push(...finalEvents(outcome, now));
      if (started.parent !== undefined) result.outbox.push(parentNotice(input.newId(), started, now, outcome));
      break;
    }
    appended.push({ type: "ExecutionCompleted", status: "ContinuedAsNew", timestamp: now, ...(outcome.input === undefined ? {} : { result: outcome.input }) });
    const carried = outcome.carryEvents.length > 0 || leftover.length > 0
      ? [...outcome.carryEvents, ...leftover.filter((event): event is EventRaisedEvent => event.type === "EventRaised")]
      : [];
    if (generations + 1 >= limit) {
      session.outcome = { kind: "failed", failure: { errorType: "ContinueAsNewLoop", message: `continued as new ${limit} times in one episode without waiting for anything` } };
      appended.pop();
      appended.push(...finalEvents(session.outcome, now));
      break;
    }
    const customStatus = session.customStatus;
    const ids = messageIdsOf([...state.history, ...appended]);
    const next: ExecutionStartedEvent = {
      type: "ExecutionStarted",
      name: started.name,
      executionId: input.newId(),
      generation: started.generation + 1,
      timestamp: now,
      ...(started.version === undefined ? {} : { version: started.version }),
      ...(outcome.input === undefined ? {} : { input: outcome.input }),
      ...(started.parent === undefined ? {} : { parent: started.parent }),
      ...(started.tags === undefined ? {} : { tags: started.tags }),
    };
    const carriedIds = new Set(carried.map((event) => event.messageId));
    previousMessageIds = ids.filter((id) => !carriedIds.has(id));
    state = { executionId: next.executionId, history: [], runtimeStatus: "Running", previousMessageIds };
    result.newExecution = { executionId: next.executionId, previousMessageIds };
    session = input.newSession();
    if (customStatus !== undefined) session.customStatus = customStatus;
    appended = [];
    incoming = [{ type: "OrchestratorStarted", timestamp: now }, next, ...carried];
  }

  result.appended = appended;
  const history = [...state.history, ...appended];
  result.projection = project(input.instanceId, history, session, now, session.customStatus ?? customStatusBefore);
  result.session = session.outcome === undefined ? session : undefined;
  return result;
}

/** Terminates without running orchestrator code: a terminate wins over everything else in its batch. */
function terminate(
  input: EpisodeInput,
  result: EpisodeResult,
  state: InstanceState | undefined,
  newStart: ExecutionStartedEvent | undefined,
  termination: HistoryEvent,
  accepted: readonly HistoryEvent[],
  now: string,
): EpisodeResult {
  const opening: HistoryEvent[] = [{ type: "OrchestratorStarted", timestamp: now }];
  let history = state?.history ?? [];
  if (newStart !== undefined) {
    const previousMessageIds = state === undefined ? [] : messageIdsOf(state.history);
    const generation = state === undefined ? 0 : generationOf(state) + 1;
    opening.push({ ...newStart, generation });
    result.newExecution = { executionId: newStart.executionId, previousMessageIds };
    history = [];
  }
  for (const event of accepted) {
    if (event === termination) continue;
    const message = input.messages.find((candidate) => candidate.id === event.messageId);
    if (message !== undefined) result.dropped.push({ message, reason: "instance terminated in the same batch" });
  }
  result.appended = [...opening, termination];
  const reason = termination.type === "ExecutionTerminated" ? termination.reason : undefined;
  const outcome: Outcome = reason === undefined ? { kind: "terminated" } : { kind: "terminated", reason };
  const full = [...history, ...result.appended];
  const started = full.find((event): event is ExecutionStartedEvent => event.type === "ExecutionStarted");
  if (started?.parent !== undefined) result.outbox.push(parentNotice(input.newId(), started, now, outcome));
  result.projection = project(input.instanceId, full, { outcome, suspended: false }, now, state?.customStatus);
  return result;
}

function judgeStart(
  message: ControlMessage,
  event: ExecutionStartedEvent,
  state: InstanceState | undefined,
  alreadyStarting: ExecutionStartedEvent | undefined,
  requested: RequestedStart | undefined,
): string {
  if (state?.executionId === event.executionId || alreadyStarting?.executionId === event.executionId) return "duplicate start (execution already exists)";
  if (alreadyStarting !== undefined) return "another start in the same batch won";
  if (event.parent === undefined && requested?.executionId !== event.executionId) {
    return "superseded start request (the Instances row asks for another execution)";
  }
  if (state !== undefined && !isTerminalStatus(state.runtimeStatus)) return `instance "${message.instanceId}" is already ${state.runtimeStatus}`;
  return "start";
}

function generationOf(state: InstanceState): number {
  const started = state.history.find((event): event is ExecutionStartedEvent => event.type === "ExecutionStarted");
  return started?.generation ?? 0;
}

function messageIdsOf(history: readonly HistoryEvent[]): string[] {
  return history.flatMap((event) => (event.messageId === undefined ? [] : [event.messageId]));
}

function finalEvents(outcome: Exclude<Outcome, { kind: "continuedAsNew" }>, timestamp: string): HistoryEvent[] {
  switch (outcome.kind) {
    case "completed":
      return [{ type: "ExecutionCompleted", status: "Completed", timestamp, ...(outcome.result === undefined ? {} : { result: outcome.result }) }];
    case "failed":
      return [{ type: "ExecutionCompleted", status: "Failed", timestamp, failure: outcome.failure }];
    case "terminated":
      return [];
  }
}

function actionEvent(action: OrchestratorAction, timestamp: string): HistoryEvent {
  switch (action.kind) {
    case "ScheduleTask":
      return { type: "TaskScheduled", taskId: action.taskId, name: action.name, timestamp, ...(action.input === undefined ? {} : { input: action.input }) };
    case "CreateTimer":
      return { type: "TimerCreated", taskId: action.taskId, fireAt: action.fireAt, timestamp };
    case "CreateSubOrchestration":
      return {
        type: "SubOrchestrationCreated",
        taskId: action.taskId,
        name: action.name,
        instanceId: action.instanceId,
        timestamp,
        ...(action.version === undefined ? {} : { version: action.version }),
        ...(action.input === undefined ? {} : { input: action.input }),
      };
    case "SendEvent":
      return { type: "EventSent", taskId: action.taskId, instanceId: action.instanceId, name: action.name, timestamp, ...(action.input === undefined ? {} : { input: action.input }) };
  }
}

function actionMessage(action: OrchestratorAction, input: EpisodeInput, started: ExecutionStartedEvent, timestamp: string): TaskHubMessage {
  const id = input.newId();
  const executionId = started.executionId;
  switch (action.kind) {
    case "ScheduleTask":
      return { kind: "work", id, instanceId: input.instanceId, executionId, taskId: action.taskId, name: action.name, ...(action.input === undefined ? {} : { input: action.input }) };
    case "CreateTimer":
      return {
        kind: "control",
        id,
        instanceId: input.instanceId,
        executionId,
        visibleAt: action.fireAt,
        event: { type: "TimerFired", taskId: action.taskId, fireAt: action.fireAt, timestamp: action.fireAt },
      };
    case "CreateSubOrchestration":
      return {
        kind: "control",
        id,
        instanceId: action.instanceId,
        event: {
          type: "ExecutionStarted",
          name: action.name,
          executionId: input.newId(),
          generation: 0,
          timestamp,
          parent: { instanceId: input.instanceId, executionId, taskId: action.taskId, name: started.name },
          ...(action.version === undefined ? {} : { version: action.version }),
          ...(action.input === undefined ? {} : { input: action.input }),
        },
      };
    case "SendEvent":
      return { kind: "control", id, instanceId: action.instanceId, event: { type: "EventRaised", name: action.name, timestamp, ...(action.input === undefined ? {} : { input: action.input }) } };
  }
}

function parentNotice(id: string, started: ExecutionStartedEvent, timestamp: string, outcome: Exclude<Outcome, { kind: "continuedAsNew" }>): ControlMessage {
  const parent = started.parent;
  if (parent === undefined) throw new Error("parentNotice without a parent");
  const base = { kind: "control" as const, id, instanceId: parent.instanceId, executionId: parent.executionId };
  if (outcome.kind === "completed") {
    return { ...base, event: { type: "SubOrchestrationCompleted", taskId: parent.taskId, timestamp, ...(outcome.result === undefined ? {} : { result: outcome.result }) } };
  }
  const failure: FailureDetails =
    outcome.kind === "failed" ? outcome.failure : { errorType: "Terminated", message: `terminated${outcome.reason === undefined ? "" : `: ${outcome.reason}`}` };
  return { ...base, event: { type: "SubOrchestrationFailed", taskId: parent.taskId, timestamp, failure } };
}

/** Builds the status projection of an execution from its history and live session. */
export function project(
  instanceId: string,
  history: readonly HistoryEvent[],
  session: Pick<OrchestrationSession, "outcome" | "suspended">,
  now: string,
  customStatus: string | undefined,
): InstanceProjection {
  const started = history.find((event): event is ExecutionStartedEvent => event.type === "ExecutionStarted");
  if (started === undefined) throw new Error("projection without ExecutionStarted");
  const outcome = session.outcome;
  let runtimeStatus: RuntimeStatus = session.suspended ? "Suspended" : "Running";
  const projection: InstanceProjection = {
    instanceId,
    executionId: started.executionId,
    name: started.name,
    runtimeStatus,
    createdTime: started.timestamp,
    lastUpdatedTime: now,
    generation: started.generation,
  };
  if (started.version !== undefined) projection.version = started.version;
  if (started.input !== undefined) projection.input = started.input;
  if (started.tags !== undefined) projection.tags = started.tags;
  if (started.scheduledStartTime !== undefined) projection.scheduledStartTime = started.scheduledStartTime;
  if (started.parent !== undefined) projection.parentInstanceId = started.parent.instanceId;
  if (customStatus !== undefined) projection.customStatus = customStatus;
  if (outcome !== undefined && outcome.kind !== "continuedAsNew") {
    runtimeStatus = outcome.kind === "completed" ? "Completed" : outcome.kind === "failed" ? "Failed" : "Terminated";
    projection.completedTime = now;
    if (outcome.kind === "completed" && outcome.result !== undefined) projection.output = outcome.result;
    if (outcome.kind === "failed") projection.failureDetails = outcome.failure;
    if (outcome.kind === "terminated" && outcome.reason !== undefined) projection.output = JSON.stringify(outcome.reason);
  }
  projection.runtimeStatus = runtimeStatus;
  return projection;
}
