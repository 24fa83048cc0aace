import { defineCheck } from './define-check.js';
import type { FindingDraft } from './types.js';
import { endpointList, vantageFault } from './vantage-fault.js';

export const vantageFailed = defineCheck({
  id: 'vantage_failed',
  title: 'Vantage point lost',
  description:
    'A configured URL could not be used, or its connection failed mid-sample, while every expected server still answered through the others. Nothing is wrong with the cluster yet, but the auditor no longer sees it from that side: a partition cutting that server off would go unnoticed. One finding per vantage, with the cause and the requests the fault took with it.',
  reads: ['JSZ'],
  severities: ['warning'],
  thresholds: [],
  run({ observation }) {
    // With servers missing, server_missing already lists the failed vantages; with none answering, cluster_unreachable does.
    if (observation.servers.length === 0 || observation.servers.length < observation.expectedServerCount) return [];
    const findings: FindingDraft[] = [];
    for (const v of observation.vantages) {
      const fault = vantageFault(v);
      if (!fault) continue;
      const took = fault.lost.length > 0 ? `; it took ${endpointList(fault.lost)} with it` : '';
      findings.push({
        subject: `vantage:${v.url}`,
        severity: 'warning',
        summary: `${v.url} could not be used as a vantage point (${fault.error})${took}; the cluster answered through the other URLs`,
        details: { url: v.url, error: fault.error, lostRequests: fault.lost },
        remediation: [
          `Check the URL, the port and the credentials/TLS settings for ${v.url}; a typo or a firewall rule shows here before it hides a partition.`,
        ],
      });
    }
    return findings;
  },
});
