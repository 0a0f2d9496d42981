import { InvalidArgumentError } from "./errors.js";
import type { FailureDetails } from "./failure.js";

/** How a failed activity or sub-orchestration is retried. Delays are durable timers. */
export interface RetryOptions {
  /** Total attempts, the first included. Must be ≥ 1. */
  maxAttempts: number;
  /** Delay before the second attempt. Must be > 0. */
  firstRetryIntervalMs: number;
  /**
   * Each further delay is the previous one times this factor.
   * @default 1
   */
  backoffCoefficient?: number;
  /**
   * Upper bound of a single delay.
   * @default Infinity
   */
  maxRetryIntervalMs?: number;
  /**
   * Give up once this much time has passed since the first attempt started.
   * @default Infinity
   */
  retryTimeoutMs?: number;
  /**
   * Decides whether a failure is worth retrying.
   * @default () => true
   */
  handle?: (failure: FailureDetails) => boolean;
}

/** Checks retry options and throws {@link InvalidArgumentError} naming the bad field. */
export function validateRetryOptions(options: RetryOptions, field = "options.retry"): void {
  const positive = (name: keyof RetryOptions, value: unknown, min: number, inclusive: boolean): void => {
    if (value === undefined && name !== "maxAttempts" && name !== "firstRetryIntervalMs") return;
    if (typeof value !== "number" || Number.isNaN(value) || (inclusive ? value < min : value <= min)) {
      throw new InvalidArgumentError(`${field}.${name}`, `must be a number ${inclusive ? "≥" : ">"} ${min} (got ${String(value)})`);
    }
  };
  positive("maxAttempts", options.maxAttempts, 1, true);
  if (!Number.isInteger(options.maxAttempts)) throw new InvalidArgumentError(`${field}.maxAttempts`, "must be an integer");
  positive("firstRetryIntervalMs", options.firstRetryIntervalMs, 0, false);
  positive("backoffCoefficient", options.backoffCoefficient, 1, true);
  positive("maxRetryIntervalMs", options.maxRetryIntervalMs, 0, false);
  positive("retryTimeoutMs", options.retryTimeoutMs, 0, false);
  if (options.handle !== undefined && typeof options.handle !== "function") {
    throw new InvalidArgumentError(`${field}.handle`, "must be a function");
  }
}

/**
 * Delay before the next attempt after `attempt` attempts failed, or `undefined` when retrying must stop.
 * `elapsedMs` is the replay-safe time since the first attempt started.
 */
export function nextRetryDelay(options: RetryOptions, attempt: number, elapsedMs: number, failure: FailureDetails): number | undefined {
  if (attempt >= options.maxAttempts) return undefined;
  if (options.handle !== undefined && !options.handle(failure)) return undefined;
  const coefficient = options.backoffCoefficient ?? 1;
  const delay = Math.min(options.firstRetryIntervalMs * coefficient ** (attempt - 1), options.maxRetryIntervalMs ?? Infinity);
  if (elapsedMs + delay > (options.retryTimeoutMs ?? Infinity)) return undefined;
  return delay;
}
