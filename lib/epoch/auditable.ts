import { AuditUnavailableError } from '../errors.js';
import type { RawSample } from '../domain/raw-sample.js';

/**
 * Tells an audit that could not run (exit 3, UNKNOWN) from a sick cluster
 * (a finding). Refused credentials or a user outside the system account say
 * nothing about the cluster's health, so they must not read as "critical".
 */
export function assertAuditable(sample: RawSample): void {
  const connected = sample.vantages.filter((v) => v.connected);
  if (connected.length === 0) {
    const auth = sample.vantages.filter((v) => v.error?.kind === 'auth');
    if (auth.length > 0) {
      throw new AuditUnavailableError(
        `authorization refused by ${auth.map((v) => v.url).join(', ')}: check the system account credentials (--user/--password, --token, --nkey or --creds)`,
      );
    }
    return; // unreachable everywhere: the cluster_unreachable finding reports it
  }
  const jsz = connected.map((v) => v.requests.find((r) => r.endpoint === 'JSZ'));
  if (jsz.every((r) => r?.ended === 'no-responders' || /permissions? violation/i.test(r?.error ?? ''))) {
    throw new AuditUnavailableError(
      'connected, but no server answered $SYS.REQ.SERVER.PING.JSZ: the user is not in the system account (or may not publish to $SYS.REQ.SERVER.PING.*). Use a user of the account named by system_account.',
    );
  }
}
