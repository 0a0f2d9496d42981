import type {
  EventRaisedEvent,
  ExecutionResumedEvent,
  ExecutionStartedEvent,
  ExecutionSuspendedEvent,
  ExecutionTerminatedEvent,
  SubOrchestrationCompletedEvent,
  SubOrchestrationFailedEvent,
  TaskCompletedEvent,
  TaskFailedEvent,
  TimerFiredEvent,
} from "./history.js";

/** Events that travel to an instance through its control queue. */
export type ControlEvent =
  | ExecutionStartedEvent
  | TaskCompletedEvent
  | TaskFailedEvent
  | SubOrchestrationCompletedEvent
  | SubOrchestrationFailedEvent
  | TimerFiredEvent
  | EventRaisedEvent
  | ExecutionTerminatedEvent
  | ExecutionSuspendedEvent
  | ExecutionResumedEvent;

/** A message to one instance, carried by the control queue of the instance's partition. */
export interface ControlMessage {
  kind: "control";
  /** Unique id; applying a message id twice never changes the result. */
  id: string;
  instanceId: string;
  /** The execution the message answers; absent for messages that apply to whatever execution is current. */
  executionId?: string;
  event: ControlEvent;
  /** Not before this time (ISO); timers and delayed starts longer than the queue's limit hop until then. */
  visibleAt?: string;
}

/** An activity invocation, carried by the shared work-item queue. */
export interface WorkItemMessage {
  kind: "work";
  id: string;
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  input?: string;
}

/** Any message Taskhub puts on a queue. */
export type TaskHubMessage = ControlMessage | WorkItemMessage;
