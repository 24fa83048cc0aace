import { describe, expect, it } from 'vitest';
import { readPage, pageOf } from '../../support/html-page.js';
import { T0, healthyReplies, partitioned, replicatedStreams, routez, jsz, sample, servers } from '../../support/sample-builder.js';

const { n1, n2, n3 } = servers(['n1', 'n2', 'n3']);

/** n1 leads all six R3 streams: 3x the average of 2, critical. */
function unevenSample(startedAt: number) {
  return sample({ startedAt, replies: healthyReplies({ streams: { n1: replicatedStreams(6, 'n1', ['n2', 'n3'], { prefix: 'ORDERS_' }) } }) });
}

describe('the HTML report', () => {
  it('draws leaders per server as bars with the 1.5x line, and each finding with its step-down commands', async () => {
    // Act
    const page = await pageOf([unevenSample(T0)]);

    // Assess
    const { text } = readPage(page);
    expect(page).toMatch(/<svg class="chart" data-metric="streams"[^]*?<g class="bar hot" data-server="n1" data-count="6">/);
    expect(page).toMatch(/data-metric="streams"[^]*?data-server="n2" data-count="0"/);
    // Average 2.0, hot above 1.5x: the line at 3.0.
    expect(page).toMatch(/data-metric="streams"[^]*?<g class="threshold" data-threshold="3.0" data-ratio="1.5">/);
    expect(text).toContain('1.5× avg = 3.0');
    // 3.0x at first sight: a warning until it persists (only declared checks are critical at first sight).
    expect(text).toContain('WARNING uneven_leader_distribution cluster:c1');
    expect(text).toContain('n1 leads 6 streams (3.0x the average of 2.0)');
    expect(page).toContain('<code class="command">nats stream cluster step-down ORDERS_01</code>');
    expect(text).not.toMatch(/undefined|NaN|\[object/);
  });

  it('shows the partition as who heard whom, and the lifecycle across epochs', async () => {
    // Prepare: a healthy epoch, then n3 cut off twice (persistent), then healed.
    const cut = () => {
      const replies = healthyReplies();
      return {
        ...replies,
        n3: { jsz: jsz(n3, { meta: { leader: null } }), routez: routez(n3, []) },
        n1: { ...replies.n1, routez: routez(n1, [n2]) },
        n2: { ...replies.n2, routez: routez(n2, [n1]) },
      };
    };
    const samples = [
      sample({ startedAt: T0, replies: healthyReplies() }),
      sample({ startedAt: T0 + 60_000, replies: cut(), vantages: partitioned(['n1', 'n2'], ['n3']) }),
      sample({ startedAt: T0 + 120_000, replies: cut(), vantages: partitioned(['n1', 'n2'], ['n3']) }),
    ];

    // Act
    const partitionedPage = await pageOf(samples);
    const healedPage = await pageOf([...samples, sample({ startedAt: T0 + 180_000, replies: healthyReplies() })]);

    // Assess: the vantage through n3 heard only n3; n1's heard n1 and n2.
    const row = (page: string, url: string) => new RegExp(`<tr data-vantage="${url}"[^>]*>(.*?)</tr>`).exec(page)?.[1] ?? '';
    expect(row(partitionedPage, 'nats://n3:4222')).toMatch(/class="no" data-server="n1"[^]*class="no" data-server="n2"[^]*class="yes" data-server="n3"/);
    expect(row(partitionedPage, 'nats://n1:4222')).toMatch(/class="yes" data-server="n1"[^]*class="yes" data-server="n2"[^]*class="no" data-server="n3"/);
    expect(partitionedPage).toMatch(/<tr data-server="n3"><th scope="row">n3<\/th><td class="no" data-peer="n1"/);
    const { text } = readPage(partitionedPage);
    expect(text).toMatch(/CRITICAL meta_leader_disagreement/);
    expect(text).toContain('persistent; transition became_persistent');
    expect(text).toContain(`ongoing for 2 epochs since ${new Date(T0 + 60_000 + 101).toISOString()}`);
    // History: three epochs remembered, newest first, each with the meta leader most servers named.
    expect([...partitionedPage.matchAll(/<tr data-epoch="(\d+)">/g)].map((m) => m[1])).toEqual(['3', '2', '1']);

    const healed = readPage(healedPage).text;
    expect(healed).toContain('Resolved this epoch');
    expect(healedPage).toMatch(/<table class="lifecycle resolved">[^]*data-check="meta_leader_disagreement"/);
  });

  it('notes a distribution it could not judge (an election), whose finding stays open', async () => {
    // Prepare: after an uneven epoch, no view names a leader of ORDERS_06.
    const electing = sample({
      startedAt: T0 + 60_000,
      replies: healthyReplies({ streams: { n1: [...replicatedStreams(5, 'n1', ['n2', 'n3'], { prefix: 'ORDERS_' }), { name: 'ORDERS_06', replicas: ['n1', 'n2', 'n3'] }] } }),
    });

    // Act
    const page = await pageOf([unevenSample(T0), electing]);

    // Assess
    const { text } = readPage(page);
    expect(text).toContain(
      'uneven_leader_distribution did not judge cluster:c1 (an election in progress: no server names a leader of stream ORDERS_06 (account APP)); a finding open before stays open',
    );
    expect(text).not.toContain('Resolved this epoch');
  });

  it('a vantage that could not connect is a row saying why, across every server column', async () => {
    const page = await pageOf([
      sample({
        replies: healthyReplies(),
        vantages: [
          { via: 'n1', hears: ['n1', 'n2', 'n3'] },
          { via: 'n2', url: 'nats://10.0.0.2:4222', hears: [], error: { kind: 'unreachable', message: 'nats://10.0.0.2:4222: connection refused' } },
        ],
      }),
    ]);
    expect(page).toContain(
      '<tr data-vantage="nats://10.0.0.2:4222" data-via=""><th scope="row"><code>nats://10.0.0.2:4222</code></th><td class="failed" colspan="3">unreachable: nats://10.0.0.2:4222: connection refused</td></tr>',
    );
  });

  it('is self-contained: no script, no external reference, a policy that forbids loading anything', async () => {
    const page = await pageOf([unevenSample(T0)]);
    const { elements, attributeValues } = readPage(page);
    expect(elements).not.toContain('script');
    expect(page).not.toMatch(/https?:|url\(|@import|src=|href=/i);
    expect(attributeValues).toContain("default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'");
  });
});
