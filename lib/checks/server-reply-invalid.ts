import { defineCheck } from './define-check.js';
import type { FindingDraft } from './types.js';
import { joinBounded } from '../util/bounded.js';

export const serverReplyInvalid = defineCheck({
  id: 'server_reply_invalid',
  title: 'Invalid server reply',
  description:
    'A server sent a reply the auditor could not use (not JSON, wrong shape, an error, undecodable compression, another server\'s name or id, two different answers to one request). That server is judged without it; the other servers still count.',
  reads: ['JSZ', 'ROUTEZ', 'RAFTZ'],
  severities: ['warning'],
  thresholds: [],
  run({ observation }) {
    const grouped = new Map<string, { server?: string; endpoint: string; vantages: Set<string>; problems: Set<string> }>();
    for (const p of observation.problems) {
      const key = `${p.server ?? `via ${p.vantage}`}:${p.endpoint}`;
      const entry = grouped.get(key) ?? { server: p.server, endpoint: p.endpoint, vantages: new Set(), problems: new Set() };
      entry.vantages.add(p.vantage);
      entry.problems.add(p.problem);
      grouped.set(key, entry);
    }
    const findings: FindingDraft[] = [];
    for (const [key, entry] of grouped) {
      const problems = [...entry.problems];
      findings.push({
        subject: `reply:${key}`,
        severity: 'warning',
        summary: `${entry.server ?? 'A server'}'s ${entry.endpoint} reply could not be used: ${joinBounded(problems, 1, '; ')}`,
        details: { server: entry.server ?? null, endpoint: entry.endpoint, vantages: [...entry.vantages], problems: problems.slice(0, 5) },
        remediation: [
          'Save the raw replies for a support ticket: `nats-audit gather --out sample.json` (the file holds no credentials).',
          'Check the server version; replies of versions newer than the auditor knows may need an auditor upgrade.',
        ],
      });
    }
    return findings;
  },
});
