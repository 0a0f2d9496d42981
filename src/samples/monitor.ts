import { defineActivity, defineOrchestration } from "../index.js";

/** State of the monitor, carried from one execution to the next. */
export interface MonitorInput {
  /** Identifies what is watched. */
  jobId: string;
  /** Polling interval. */
  intervalMs: number;
  /** Give up after this many checks. */
  maxChecks: number;
  /** Checks done so far. */
  checks?: number;
}

/** Checks the watched job; here the job completes on the third check. */
export const checkJobStatus = defineActivity("CheckJobStatus", async (input: { jobId: string; check: number }) => (input.check >= 3 ? "done" : "running"));

/**
 * Monitor: checks a job on a durable timer and continues as new after each check, so its history stays small no
 * matter how long it watches.
 */
export const jobMonitor = defineOrchestration("JobMonitor", async (ctx, input: MonitorInput) => {
  const check = (input.checks ?? 0) + 1;
  const state = await ctx.callActivity(checkJobStatus, { jobId: input.jobId, check });
  ctx.setCustomStatus({ check, state });
  if (state === "done") return { jobId: input.jobId, checks: check, state };
  if (check >= input.maxChecks) return { jobId: input.jobId, checks: check, state: "gave up" };
  await ctx.createTimer(input.intervalMs);
  ctx.continueAsNew({ ...input, checks: check });
  return undefined;
});
