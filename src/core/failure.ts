/** A serialisable description of an error that crossed a durable boundary (activity, sub-orchestration, instance). */
export interface FailureDetails {
  /** The error's `name` (or `typeof` for non-Error values), e.g. `"TypeError"`. */
  errorType: string;
  /** The error's message. */
  message: string;
  /** The stack trace, when the error carried one. */
  stackTrace?: string;
  /** The failure that caused this one, e.g. the activity failure behind a failed orchestration. */
  innerFailure?: FailureDetails;
}

/** Turns anything thrown into {@link FailureDetails}. Non-Error values are described, never evaluated. */
export function toFailureDetails(error: unknown): FailureDetails {
  if (error instanceof Error) {
    const details: FailureDetails = { errorType: error.name || "Error", message: error.message };
    if (error.stack !== undefined) details.stackTrace = error.stack;
    const inner = (error as { failureDetails?: unknown }).failureDetails;
    if (isFailureDetails(inner)) details.innerFailure = inner;
    return details;
  }
  if (typeof error === "string") return { errorType: "string", message: error };
  let text: string;
  try {
    text = JSON.stringify(error) ?? String(error);
  } catch {
    text = Object.prototype.toString.call(error);
  }
  return { errorType: error === null ? "null" : typeof error, message: `Non-Error value thrown: ${text}` };
}

/** True when `value` has the shape of {@link FailureDetails}. */
export function isFailureDetails(value: unknown): value is FailureDetails {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.errorType === "string" && typeof candidate.message === "string";
}
