import { InvalidArgumentError } from "./errors.js";
import type { OrchestrationContext } from "./context.js";

/** What an activity receives besides its input. */
export interface ActivityContext {
  /** The orchestration instance that scheduled the activity. */
  readonly instanceId: string;
  /** The execution of that instance. */
  readonly executionId: string;
  /** The activity's registered name. */
  readonly name: string;
  /** The orchestration's task id for this call. */
  readonly taskId: number;
  /** Aborted when the worker stops and gives up on the activity (it will run again elsewhere). */
  readonly signal: AbortSignal;
}

/** An orchestrator: a deterministic async function of its context and input. */
export type OrchestratorFunction<I, O> = (ctx: OrchestrationContext, input: I) => Promise<O> | O;

/** An activity: any async function of its input; it runs at least once per scheduling. */
export type ActivityFunction<I, O> = (input: I, ctx: ActivityContext) => Promise<O> | O;

/** A named orchestration, as returned by {@link defineOrchestration}. Types flow from it into calls. */
export interface OrchestrationDefinition<I = unknown, O = unknown> {
  readonly kind: "orchestration";
  readonly name: string;
  /** Version recorded for new instances when the start request names none. */
  readonly version: string | undefined;
  readonly run: OrchestratorFunction<I, O>;
}

/** A named activity, as returned by {@link defineActivity}. */
export interface ActivityDefinition<I = unknown, O = unknown> {
  readonly kind: "activity";
  readonly name: string;
  readonly run: ActivityFunction<I, O>;
}

/** Options for {@link defineOrchestration}. */
export interface DefineOrchestrationOptions {
  /**
   * Version recorded on instances started without an explicit version, and exposed as `ctx.version`.
   * @default undefined
   */
  version?: string;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

function checkName(field: string, name: unknown): string {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(field, `must be 1-128 characters of letters, digits, '_', '.', ':' or '-', starting with a letter or '_' (got ${JSON.stringify(name)})`);
  }
  return name;
}

/**
 * Defines an orchestration. The function must be deterministic: take time, ids and randomness from `ctx`,
 * and await only what `ctx` returns.
 * @example
 * const hello = defineOrchestration("Hello", async (ctx, name: string) => ctx.callActivity(sayHello, name));
 */
export function defineOrchestration<I = undefined, O = unknown>(
  name: string,
  run: OrchestratorFunction<I, O>,
  options: DefineOrchestrationOptions = {},
): OrchestrationDefinition<I, O> {
  if (typeof run !== "function") throw new InvalidArgumentError("run", "must be a function");
  return Object.freeze({ kind: "orchestration", name: checkName("name", name), version: options.version, run });
}

/**
 * Defines an activity: the place for I/O and anything non-deterministic. It may run more than once for one
 * call (at-least-once), so make its effects idempotent.
 * @example
 * const sayHello = defineActivity("SayHello", async (name: string) => `Hello ${name}!`);
 */
export function defineActivity<I = undefined, O = unknown>(name: string, run: ActivityFunction<I, O>): ActivityDefinition<I, O> {
  if (typeof run !== "function") throw new InvalidArgumentError("run", "must be a function");
  return Object.freeze({ kind: "activity", name: checkName("name", name), run });
}

/** Input type of an orchestration or activity definition. */
export type InputOf<D> = D extends OrchestrationDefinition<infer I, unknown> ? I : D extends ActivityDefinition<infer I, unknown> ? I : unknown;

/** Output type of an orchestration or activity definition. */
export type OutputOf<D> = D extends OrchestrationDefinition<unknown, infer O> ? Awaited<O> : D extends ActivityDefinition<unknown, infer O> ? Awaited<O> : unknown;
