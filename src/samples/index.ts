import { copyFileToBlob, backup, listFiles } from "./backup.js";
import { helloSequence, sayHello } from "./hello-sequence.js";
import { approvalWorkflow, escalate, requestApproval } from "./human-interaction.js";
import { checkJobStatus, jobMonitor } from "./monitor.js";

export * from "./backup.js";
export * from "./hello-sequence.js";
export * from "./human-interaction.js";
export * from "./monitor.js";

/** Every sample orchestration. */
export const sampleOrchestrations = [helloSequence, backup, approvalWorkflow, jobMonitor];

/** Every sample activity (call `configureBackupStorage` before running the backup). */
export const sampleActivities = [sayHello, listFiles, copyFileToBlob, requestApproval, escalate, checkJobStatus];
