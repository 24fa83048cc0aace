import { GATHER_DEFAULTS } from '../sampling/gather.js';

const MIB = 1024 * 1024;

export const REPLY_BUDGET = {
  /** Judging an epoch peaks at ~3x its decompressed reply bytes (BENCHMARKS.md, target 5)... */
  peakPerReplyByte: 3,
  /** ...plus ~75 MB, and the runtime, the SDK and the code take ~50 MB more. */
  fixedMb: 128,
  /** Floor for the smallest functions: a 3-server summary-only epoch needs well under this. */
  minBytes: 8 * MIB,
} as const;

/**
 * The epoch's budget for decompressed replies on a function of `memoryMb`
 * (Lambda's AWS_LAMBDA_FUNCTION_MEMORY_SIZE): what still leaves room to judge
 * them, capped at the gatherer's default. Replies beyond it are refused with
 * a server_reply_invalid finding, never an out-of-memory crash, so a smaller
 * function audits smaller clusters fully and refuses, by name, the rest:
 * 1024 MB keeps 256 MiB (~52k R3 streams of three consumers), 512 MB 128 MiB (~26k), 256 MB ~42 MiB (~8k).
 */
export function replyBudgetBytes(memoryMb: number | undefined): number {
  if (memoryMb === undefined || !Number.isFinite(memoryMb)) return GATHER_DEFAULTS.maxSampleBytes;
  const fits = Math.floor(((memoryMb - REPLY_BUDGET.fixedMb) * MIB) / REPLY_BUDGET.peakPerReplyByte);
  return Math.max(REPLY_BUDGET.minBytes, Math.min(GATHER_DEFAULTS.maxSampleBytes, fits));
}
