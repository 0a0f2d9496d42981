/** Options of {@link Poller}. */
export interface PollerOptions {
  /** Delay after the first empty poll. */
  minIntervalMs: number;
  /** Longest delay between polls of an idle queue. */
  maxIntervalMs: number;
}

/**
 * Paces the polling of one queue: immediately while messages flow, doubling the delay on each empty poll up to a
 * maximum, and waking at once when {@link wake} is called (this process just sent to the queue).
 */
export class Poller {
  readonly #options: PollerOptions;
  #intervalMs = 0;
  #wakeUp: (() => void) | undefined;
  #woken = false;

  constructor(options: PollerOptions) {
    this.#options = options;
  }

  /** Records the outcome of a poll. */
  record(received: number): void {
    this.#intervalMs = received > 0 ? 0 : Math.min(this.#options.maxIntervalMs, Math.max(this.#options.minIntervalMs, this.#intervalMs * 2));
  }

  /** Wakes a waiting poll at once (or makes the next wait return immediately). */
  wake(): void {
    this.#intervalMs = 0;
    this.#woken = true;
    this.#wakeUp?.();
  }

  /** Waits for the current interval, a wake-up, or the abort signal. */
  async wait(signal: AbortSignal): Promise<void> {
    if (this.#woken || this.#intervalMs === 0 || signal.aborted) {
      this.#woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.#intervalMs);
      signal.addEventListener("abort", done, { once: true });
      this.#wakeUp = done;
    });
    this.#woken = false;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
