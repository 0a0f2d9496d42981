import type { FailureDetails } from "./failure.js";

/**
 * The events of an execution's history. Payload fields (`input`, `result`) hold JSON text, so history can be
 * stored and compared without re-serialising user values. `timestamp` is an ISO-8601 UTC string.
 * `messageId` is set on events that arrived as queue messages; it de-duplicates redelivered messages.
 */
export type HistoryEvent =
  | OrchestratorStartedEvent
  | ExecutionStartedEvent
  | TaskScheduledEvent
  | TaskCompletedEvent
  | TaskFailedEvent
  | SubOrchestrationCreatedEvent
  | SubOrchestrationCompletedEvent
  | SubOrchestrationFailedEvent
  | TimerCreatedEvent
  | TimerFiredEvent
  | EventRaisedEvent
  | EventSentEvent
  | ExecutionCompletedEvent
  | ExecutionTerminatedEvent
  | ExecutionSuspendedEvent
  | ExecutionResumedEvent;

/** Fields every history event has. */
export interface HistoryEventBase {
  /** When the event happened (ISO-8601 UTC). */
  timestamp: string;
  /** Id of the queue message that delivered the event, when it came from one. */
  messageId?: string;
}

/** The parent of a sub-orchestration, recorded in its ExecutionStarted event. */
export interface ParentInstance {
  instanceId: string;
  executionId: string;
  /** The parent's task id of the SubOrchestrationCreated event. */
  taskId: number;
  name: string;
}

/** Marks the start of an episode; its timestamp is the replay-safe `currentUtcDateTime`. */
export interface OrchestratorStartedEvent extends HistoryEventBase {
  type: "OrchestratorStarted";
}

/** First event of every execution. */
export interface ExecutionStartedEvent extends HistoryEventBase {
  type: "ExecutionStarted";
  name: string;
  version?: string;
  executionId: string;
  input?: string;
  parent?: ParentInstance;
  tags?: Record<string, string>;
  /** When a delayed start was requested for. */
  scheduledStartTime?: string;
  /** How many times this instance id has been (re)started or continued as new before this execution. */
  generation: number;
}

export interface TaskScheduledEvent extends HistoryEventBase {
  type: "TaskScheduled";
  taskId: number;
  name: string;
  input?: string;
}

export interface TaskCompletedEvent extends HistoryEventBase {
  type: "TaskCompleted";
  taskId: number;
  result?: string;
}

export interface TaskFailedEvent extends HistoryEventBase {
  type: "TaskFailed";
  taskId: number;
  failure: FailureDetails;
}

export interface SubOrchestrationCreatedEvent extends HistoryEventBase {
  type: "SubOrchestrationCreated";
  taskId: number;
  name: string;
  version?: string;
  instanceId: string;
  input?: string;
}

export interface SubOrchestrationCompletedEvent extends HistoryEventBase {
  type: "SubOrchestrationCompleted";
  taskId: number;
  result?: string;
}

export interface SubOrchestrationFailedEvent extends HistoryEventBase {
  type: "SubOrchestrationFailed";
  taskId: number;
  failure: FailureDetails;
}

export interface TimerCreatedEvent extends HistoryEventBase {
  type: "TimerCreated";
  taskId: number;
  fireAt: string;
}

export interface TimerFiredEvent extends HistoryEventBase {
  type: "TimerFired";
  taskId: number;
  fireAt: string;
}

export interface EventRaisedEvent extends HistoryEventBase {
  type: "EventRaised";
  name: string;
  input?: string;
}

export interface EventSentEvent extends HistoryEventBase {
  type: "EventSent";
  taskId: number;
  instanceId: string;
  name: string;
  input?: string;
}

export interface ExecutionCompletedEvent extends HistoryEventBase {
  type: "ExecutionCompleted";
  status: "Completed" | "Failed" | "ContinuedAsNew";
  result?: string;
  failure?: FailureDetails;
}

export interface ExecutionTerminatedEvent extends HistoryEventBase {
  type: "ExecutionTerminated";
  reason?: string;
}

export interface ExecutionSuspendedEvent extends HistoryEventBase {
  type: "ExecutionSuspended";
  reason?: string;
}

export interface ExecutionResumedEvent extends HistoryEventBase {
  type: "ExecutionResumed";
  reason?: string;
}

/** Events an orchestrator's own actions produce; replay checks them against the code. */
export type ActionEvent = TaskScheduledEvent | TimerCreatedEvent | SubOrchestrationCreatedEvent | EventSentEvent;

/** Events that complete a scheduled task. */
export type CompletionEvent =
  | TaskCompletedEvent
  | TaskFailedEvent
  | SubOrchestrationCompletedEvent
  | SubOrchestrationFailedEvent
  | TimerFiredEvent;

/** True for events produced by the orchestrator's actions. */
export function isActionEvent(event: HistoryEvent): event is ActionEvent {
  return event.type === "TaskScheduled" || event.type === "TimerCreated" || event.type === "SubOrchestrationCreated" || event.type === "EventSent";
}

/** True for events that complete a scheduled task. */
export function isCompletionEvent(event: HistoryEvent): event is CompletionEvent {
  return (
    event.type === "TaskCompleted" ||
    event.type === "TaskFailed" ||
    event.type === "SubOrchestrationCompleted" ||
    event.type === "SubOrchestrationFailed" ||
    event.type === "TimerFired"
  );
}

/** One-line description of an event for diagnostics, e.g. `TaskScheduled "SayHello" (task 2)`. */
export function describeEvent(event: HistoryEvent): string {
  switch (event.type) {
    case "TaskScheduled":
      return `callActivity "${event.name}" (task ${event.taskId})`;
    case "SubOrchestrationCreated":
      return `callSubOrchestration "${event.name}" (task ${event.taskId})`;
    case "TimerCreated":
      return `createTimer until ${event.fireAt} (task ${event.taskId})`;
    case "EventSent":
      return `sendEvent "${event.name}" to "${event.instanceId}" (task ${event.taskId})`;
    default:
      return event.type;
  }
}
