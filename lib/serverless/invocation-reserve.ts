/**
 * Time an audit invocation keeps back, after its last sample, for judging,
 * publishing to SNS, saving the state and recording the run. The handler
 * takes a confirming resample only if its delay and a whole gather fit
 * before it; the CDK refuses a cluster whose gather alone would not.
 * Its own module so the CDK app reads it without loading the handler.
 */
export const AFTER_SAMPLING_RESERVE_MS = 10_000;
