import { defineActivity, defineOrchestration, EventTimeoutError } from "../index.js";

/** Input of the approval workflow. */
export interface ApprovalRequest {
  requestId: string;
  approver: string;
  /** How long to wait for the decision before escalating. */
  timeoutMs: number;
}

/** Sends the approval request (here: records it; a real app would email or post it). */
export const requestApproval = defineActivity("RequestApproval", async (request: ApprovalRequest) => `approval requested from ${request.approver}`);

/** Escalates a request nobody answered. */
export const escalate = defineActivity("Escalate", async (requestId: string) => `request ${requestId} escalated`);

/**
 * Human interaction: asks for approval, then waits for an "ApprovalDecision" event with a deadline (a durable
 * timer); escalates when the deadline passes. Raise the event with `client.raiseEvent(id, "ApprovalDecision", true)`.
 */
export const approvalWorkflow = defineOrchestration("ApprovalWorkflow", async (ctx, request: ApprovalRequest) => {
  await ctx.callActivity(requestApproval, request);
  ctx.setCustomStatus("waiting for approval");
  try {
    const approved = await ctx.waitForExternalEvent<boolean>("ApprovalDecision", { timeoutMs: request.timeoutMs });
    return approved ? "approved" : "rejected";
  } catch (error) {
    if (!(error instanceof EventTimeoutError)) throw error;
    return ctx.callActivity(escalate, request.requestId);
  }
});
