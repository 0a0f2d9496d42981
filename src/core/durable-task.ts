import { TaskHubError } from "./errors.js";

/**
 * A promise of a durable operation (activity, timer, event, sub-orchestration). It resolves from history, so
 * `await`, `Promise.all` and `Promise.race` behave identically in every replay.
 */
export class DurableTask<T> implements PromiseLike<T> {
  readonly #promise: Promise<T>;
  #state: "pending" | "completed" | "failed" = "pending";

  /** @internal Use the orchestration context to create tasks. */
  constructor(bind: (resolve: (value: T) => void, reject: (error: unknown) => void) => void) {
    this.#promise = new Promise<T>((resolve, reject) => {
      bind(
        (value) => {
          if (this.#state !== "pending") return;
          this.#state = "completed";
          resolve(value);
        },
        (error) => {
          if (this.#state !== "pending") return;
          this.#state = "failed";
          reject(error);
        },
      );
    });
    // A task nobody awaits (the loser of a race, say) must not become an unhandled rejection.
    this.#promise.catch(() => undefined);
  }

  /** True once the task has a result or an error. */
  get isDone(): boolean {
    return this.#state !== "pending";
  }

  /** True when the task failed. */
  get isFailed(): boolean {
    return this.#state === "failed";
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#promise.then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#promise.catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#promise.finally(onfinally);
  }
}

/** A durable timer; `cancel()` lets the orchestration finish without waiting for it. */
export class TimerTask extends DurableTask<void> {
  readonly #cancel: () => void;

  /** @internal Use `ctx.createTimer`. */
  constructor(bind: (resolve: (value: void) => void, reject: (error: unknown) => void) => void, cancel: () => void) {
    super(bind);
    this.#cancel = cancel;
  }

  /** Cancels the timer: awaiting it rejects with `TimerCanceledError`; its later firing is ignored. */
  cancel(): void {
    this.#cancel();
  }
}

/** Rejection of a cancelled timer. */
export class TimerCanceledError extends TaskHubError {
  constructor(taskId: number) {
    super("TASKHUB_TIMER_CANCELED", `Timer (task ${taskId}) was cancelled.`);
  }
}

/** Creates a task and hands out its settle functions. */
export function createDurableTask<T>(): { task: DurableTask<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const task = new DurableTask<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { task, resolve, reject };
}
