import type { CheckDefinition, FindingDraft } from './types.js';

export const vantageFailed: CheckDefinition = {
  id: 'vantage_failed',
  title: 'Vantage point lost',
  description:
    'A configured URL could not be used while every expected server still answered through the others. Nothing is wrong with the cluster yet, but the auditor no longer sees it from that side: a partition cutting that server off would go unnoticed.',
  reads: ['JSZ'],
  severities: ['warning'],
  thresholds: [],
  run({ observation }) {
    // With servers missing, server_missing already lists the failed vantages; with none answering, cluster_unreachable does.
    if (observation.servers.length === 0 || observation.servers.length < observation.expectedServerCount) return [];
    const findings: FindingDraft[] = [];
    for (const v of observation.vantages) {
      if (v.connected && v.heard.length > 0) continue;
      const why = v.error ? `${v.error.kind}: ${v.error.message}` : `connected, no JSZ reply (${v.jszEnded ?? 'not asked'})`;
      findings.push({
        subject: `vantage:${v.url}`,
        severity: 'warning',
        summary: `${v.url} could not be used as a vantage point (${why}); the cluster answered through the other URLs`,
        details: { url: v.url, error: why },
        remediation: [
          `Check the URL, the port and the credentials/TLS settings for ${v.url}; a typo or a firewall rule shows here before it hides a partition.`,
        ],
      });
    }
    return findings;
  },
};
