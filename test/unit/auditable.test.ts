import { describe, expect, it } from 'vitest';
import { assertAuditable } from '../../lib/epoch/auditable.js';
import { AuditUnavailableError } from '../../lib/errors.js';
import { healthyReplies, sample } from '../support/sample-builder.js';

describe('assertAuditable', () => {
  it('refused credentials everywhere cannot be audited: exit UNKNOWN, not a critical finding', () => {
    // Prepare
    const refused = sample({
      replies: {},
      vantages: [
        { via: 'n1', hears: [], error: { kind: 'auth', message: 'Authorization Violation' } },
        { via: 'n2', hears: [], error: { kind: 'unreachable', message: 'refused' } },
      ],
    });

    // Act / Assess
    expect(() => assertAuditable(refused)).toThrow(AuditUnavailableError);
    expect(() => assertAuditable(refused)).toThrow(
      'authorization refused by nats://n1:4222: check the system account credentials (--user/--password, --token, --nkey or --creds)',
    );
  });

  it('a user outside the system account (no responders, or a permissions violation) cannot audit either', () => {
    // Prepare
    const noResponders = sample({ replies: {}, vantages: [{ via: 'n1', hears: [], jszEnded: 'no-responders' }] });
    const denied = sample({ replies: {}, vantages: [{ via: 'n1', hears: [], jszError: 'Permissions Violation for Publish to "$SYS.REQ.SERVER.PING.JSZ"' }] });

    // Act / Assess
    expect(() => assertAuditable(noResponders)).toThrow(/the user is not in the system account/);
    expect(() => assertAuditable(denied)).toThrow(AuditUnavailableError);
  });

  it('an unreachable cluster, or one vantage that works, is auditable', () => {
    // Prepare
    const unreachable = sample({ replies: {}, vantages: [{ via: 'n1', hears: [], error: { kind: 'unreachable', message: 'refused' } }] });
    const partlyRefused = sample({
      replies: healthyReplies(),
      vantages: [
        { via: 'n1', hears: [], error: { kind: 'auth', message: 'Authorization Violation' } },
        { via: 'n2', hears: ['n1', 'n2', 'n3'] },
      ],
    });

    // Act / Assess
    expect(() => assertAuditable(unreachable)).not.toThrow();
    expect(() => assertAuditable(partlyRefused)).not.toThrow();
  });
});
