/**
 * The short warm-container soak (the long one is `npm run soak`, figures in
 * BENCHMARKS.md): one process holding the bundled Lambda runs every epoch,
 * through faults, against a real cluster, dynalite and fauxqs. No timing is
 * asserted; what the process holds is, against fixed bounds.
 */
import { describe, expect, it } from 'vitest';
import { useCluster } from '../support/cluster.js';
import { mib, runWarmSoak, sequenceProblem } from '../support/warm-soak.js';

/**
 * What the process may gain from the warm checkpoint (after the first fault cycle, when every
 * client and code path has been used once) to the last, after a full GC. Sockets and fds: the
 * SDK clients keep idle connections alive per endpoint, and how many a burst of requests left
 * open varies by one or two; a leak grows with every cycle instead.
 */
const BOUNDS = { heapUsed: 8 * 2 ** 20, rss: 64 * 2 ** 20, fds: 3, sockets: 3 } as const;

const SOAK_EPOCHS = Number(process.env.NATS_AUDIT_SOAK_EPOCHS ?? 0);

describe('a warm Lambda container through faults', () => {
  const cluster = useCluster(3);

  it('the sequence rule itself: a lost or repeated publication is caught', () => {
    expect(sequenceProblem(['new', 'became_persistent', 'resolved', 'new', 'resolved'])).toBeUndefined();
    expect(sequenceProblem(['new', 'new', 'resolved'])).toBe('announced new twice');
    expect(sequenceProblem(['became_persistent', 'resolved'])).toBe('became_persistent without new');
    expect(sequenceProblem(['new'])).toBe('never resolved');
  });

  it('publishes every transition exactly once, nothing for quiet epochs, and holds no more memory, sockets or fds at the end', async () => {
    // Short in CI: three cycles, each a kill with SNS down, a partition and a refused password.
    const cycles = SOAK_EPOCHS > 0 ? Math.ceil(SOAK_EPOCHS / 130) : 3;
    const quietEpochs = SOAK_EPOCHS > 0 ? 100 : 8;
    const result = await runWarmSoak(cluster(), { cycles, quietEpochs, faultEpochs: 4, progress: (line) => console.info(`warm soak ${line}`) });

    const warm = result.checkpoints[1];
    const last = result.checkpoints.at(-1)!;
    const growth = {
      heapUsed: last.heapUsed - warm!.heapUsed,
      rss: last.rss - warm!.rss,
      fds: last.fds - warm!.fds,
      sockets: last.sockets - warm!.sockets,
    };
    console.info(
      `warm soak: ${result.epochs} epochs, ${result.published} published, ${result.failedInvocations} failed invocations (SNS down, password refused); ` +
        `from the warm checkpoint to the last: heap ${mib(warm!.heapUsed)} -> ${mib(last.heapUsed)}, rss ${mib(warm!.rss)} -> ${mib(last.rss)}, ` +
        `fds ${warm!.fds} -> ${last.fds}, sockets ${warm!.sockets} -> ${last.sockets}`,
    );

    expect(result.violations).toEqual([]);
    // The faults did happen and were announced: each check that fired was announced and resolved.
    expect([...result.transitions.keys()]).toEqual(expect.arrayContaining(['soak server_missing', 'soak-auth-0 audit_failed']));
    expect(result.failedInvocations).toBeGreaterThan(0);
    expect(growth.fds).toBeLessThanOrEqual(BOUNDS.fds);
    expect(growth.sockets).toBeLessThanOrEqual(BOUNDS.sockets);
    expect(growth.heapUsed).toBeLessThanOrEqual(BOUNDS.heapUsed);
    expect(growth.rss).toBeLessThanOrEqual(BOUNDS.rss);
  }, 900_000 + SOAK_EPOCHS * 2_000);
});
