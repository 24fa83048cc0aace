import { defineCheck } from './define-check.js';
import type { FindingDraft } from './types.js';

export const clockSkew = defineCheck({
  id: 'clock_skew',
  title: 'Clock skew',
  description:
    "A server's clock differs from the auditor's by more than the threshold, beyond what the request's round trip can explain. Skewed clocks make logs, message timestamps and TTLs disagree across servers.",
  reads: ['JSZ'],
  severities: ['warning'],
  thresholds: [
    { key: 'max_skew_ms', description: 'Largest tolerated clock difference', default: 500, unit: 'ms', min: 1 },
  ],
  run({ observation, thresholds }) {
    const limit = thresholds.max_skew_ms;
    const findings: FindingDraft[] = [];
    for (const server of observation.servers) {
      if (!server.clock) continue;
      const { skewMs, uncertaintyMs } = server.clock;
      // Only the part of the skew the round trip cannot account for is certain.
      if (Math.abs(skewMs) - uncertaintyMs <= limit) continue;
      findings.push({
        subject: `server:${server.name}`,
        severity: 'warning',
        summary: `${server.name}'s clock is ${Math.round(Math.abs(skewMs))} ms ${skewMs > 0 ? 'ahead of' : 'behind'} the auditor's (±${Math.round(uncertaintyMs)} ms; limit ${limit} ms)`,
        details: { server: server.name, skewMs: Math.round(skewMs), uncertaintyMs: Math.round(uncertaintyMs), limitMs: limit },
        remediation: [
          `Check time synchronisation on ${server.name} (\`chronyc tracking\` or \`timedatectl timesync-status\`) and on the auditor's host.`,
        ],
      });
    }
    return findings;
  },
});
