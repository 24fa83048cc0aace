import type { AuditState } from '../../lib/state/audit-state.js';

/** A saved state at `revision` with one open finding and one epoch of history, every optional field set. */
export function stateAt(revision: number): AuditState {
  return {
    revision,
    epoch: revision,
    open: [
      {
        check: 'meta_leader_disagreement',
        subject: 'meta:default',
        severity: 'critical',
        summary: 'n1 says n1; n2, n3 say n2',
        firstSeen: 1_000,
        lastSeen: 2_000,
        epochs: 2,
        persistent: true,
        notifiedAt: 1_500,
      },
    ],
    history: [{ id: revision, startedAt: 1_000, metaLeaders: { default: 'n2', hub: null }, knownServers: ['n1', 'n2', 'n3'] }],
  };
}
