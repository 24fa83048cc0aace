/**
 * The messages of the log lines that end an invocation's epoch. The
 * dashboard's Logs Insights queries filter on them (lib/infra/fleet-dashboard.ts),
 * so they live here rather than as literals in the handler. No other import:
 * the CDK app reads this file too.
 */

/** An epoch that ran (its status may be `failed` when the audit could not run): status, counts, findings, leaders. */
export const EPOCH_DONE_MESSAGE = 'epoch done';

/** An epoch that threw before its run was recorded (e.g. SNS refused the notices); it is retried. */
export const EPOCH_FAILED_MESSAGE = 'epoch failed; state not advanced';
