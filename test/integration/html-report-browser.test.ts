/**
 * `check --format html` against a real 3-node cluster, healthy, with its
 * leaders piled onto one server, and with a server cut off, each page
 * opened from its file in headless Chromium: the figures an operator reads
 * (bar values, the 1.5x line, who heard whom, findings and their commands,
 * the lifecycle) are in the rendered page, the page asked the network for
 * nothing, and a screenshot of each is kept in test-artifacts/html-report/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { concentrateLeaders, createReplicatedStreams } from '../../lib/local-cluster/index.js';
import type { Report } from '../../lib/epoch/report.js';
import { ARTIFACTS_DIR, openFile, useBrowser } from '../support/browser.js';
import { HEALED_META_TIMEOUT_MS, HEALING_TEST_TIMEOUT_MS, useCluster } from '../support/cluster.js';
import { checkJson, runCli, systemEnv, useTempDir } from '../support/cli.js';

const STREAMS = 6;
// The partition comes first, on a cluster without streams: the leaders piled up later would otherwise stay a finding in its pages.
/** Election timeout is 4-9 s and an isolated server is seen within a few epochs; generous for a loaded machine. */
const PARTITION_BUDGET_MS = 60_000;

describe('the HTML report of a real cluster, rendered in headless Chromium', () => {
  const cluster = useCluster(3);
  const browser = useBrowser();
  const dir = useTempDir();

  /** One `check --format html` epoch written to a file, opened in Chromium; the screenshot kept. */
  async function render(name: string, args: readonly string[], expectedCode: number): Promise<{ page: Page; version: string; close: () => Promise<void> }> {
    const c = cluster();
    const result = await runCli(['check', '--format', 'html', ...args], { env: systemEnv(c), timeoutMs: 30_000 });
    expect(result.code, result.stderr).toBe(expectedCode);
    expect(result.stdout).toMatch(/^<!DOCTYPE html>/);
    for (const secret of [c.system.password, c.app.password]) expect(result.stdout.includes(secret)).toBe(false);
    const file = join(dir, `${name}.html`);
    writeFileSync(file, result.stdout);
    const opened = await openFile(browser(), file);
    const version = (await opened.page.locator('table.servers tbody tr td:nth-child(3)').first().textContent())!.trim();
    await opened.page.screenshot({ path: join(ARTIFACTS_DIR, `${version}-${name}.png`), fullPage: true });
    // Nothing but the file itself was asked for, and nothing was blocked (a CSP violation logs an error).
    expect(opened.requests).toEqual([expect.stringMatching(new RegExp(`^file://.*/${name}\\.html$`))]);
    expect(opened.console).toEqual([]);
    return { page: opened.page, version, close: opened.close };
  }

  const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

  /** Per vantage (by the server it connected to), the servers it heard, read from the rendered matrix. */
  const heardMatrix = (page: Page) =>
    page.$$eval('table.vantages tbody tr', (rows) =>
      Object.fromEntries(
        rows.map((row) => [
          row.getAttribute('data-via'),
          [...row.querySelectorAll('td.yes')].map((td) => td.getAttribute('data-server')).sort(),
        ]),
      ),
    );

  it('partitioned: who hears whom shows the cut, the disagreement with its commands, then its resolution', async () => {
    const c = cluster();
    const state = join(dir, 'partition.json');
    const args = ['--state', state, '--timeout', '2000'];
    const env = systemEnv(c);
    const leader = await c.waitForMetaLeader();
    const names = c.servers.map((s) => s.name);
    const cutOff = names.find((n) => n !== leader)!;
    const majority = names.filter((n) => n !== cutOff);
    c.isolate(cutOff);
    try {
      await partitionedPage();
    } finally {
      c.heal();
    }
    await c.waitForMetaLeader({ timeoutMs: HEALED_META_TIMEOUT_MS });
    await c.waitForRouteMesh();
    const healed = await render('healed', args, 0);
    try {
      const { page } = healed;
      expect(await page.locator('table.lifecycle.resolved tr[data-check="meta_leader_disagreement"]').count()).toBe(1);
      expect(await heardMatrix(page)).toEqual(Object.fromEntries(names.map((n) => [n, names])));
    } finally {
      await healed.close();
    }

    async function partitionedPage(): Promise<void> {
      // Epochs until the disagreement is persistent (the page then shows it as an incident, not an election).
      const deadline = Date.now() + PARTITION_BUDGET_MS;
      let last: Report | undefined;
      for (;;) {
        last = (await checkJson(args, env)).report;
        if (last.findings.some((f) => f.check === 'meta_leader_disagreement' && f.lifecycle.persistent)) break;
        if (Date.now() > deadline) throw new Error(`no persistent disagreement within ${PARTITION_BUDGET_MS} ms: ${last.findings.map((f) => f.check).join(', ')}`);
      }

      const cut = await render('partitioned', args, 2);
      try {
        const { page } = cut;
        expect(await heardMatrix(page)).toEqual({ ...Object.fromEntries(majority.map((n) => [n, majority])), [cutOff]: [cutOff] });
        expect(await text(page, `table.routes tr[data-server="${cutOff}"] td[data-peer="${leader}"]`)).toBe('–');
        expect(await text(page, `table.servers tr[data-server="${cutOff}"] td:nth-child(4)`)).toBe('none');
        const finding = page.locator('article[data-check="meta_leader_disagreement"]');
        expect(await finding.locator('.badge').textContent()).toBe('CRITICAL');
        expect(await finding.locator('.summary').textContent()).toContain(`${cutOff} says none`);
        expect(await finding.locator('.life').textContent()).toMatch(/^ongoing for \d+ epochs since .*; persistent/);
        expect((await finding.locator('ol.remediation li').allTextContents()).join('\n')).toMatch(/Fix connectivity first/);
        expect(await finding.locator('code.command').allTextContents()).toContain('nats server cluster step-down');
      } finally {
        await cut.close();
      }
    }
  }, HEALING_TEST_TIMEOUT_MS);

  it('healthy, then uneven: bars with their values, the 1.5x line, the finding and its step-downs', async () => {
    const c = cluster();
    const names = c.servers.map((s) => s.name);
    const state = join(dir, 'leaders.json');
    const app = await c.connect({ as: 'app' });
    try {
      const streams = await createReplicatedStreams(app, { count: STREAMS, replicas: 3, consumersPerStream: 1 });
      for (const [i, server] of names.entries()) {
        await concentrateLeaders(app, { onto: server, streams: streams.filter((_, k) => k % names.length === i), consumers: true });
      }

      const healthy = await render('healthy', ['--state', state], 0);
      try {
        expect(await healthy.page.locator('header.verdict').getAttribute('data-status')).toBe('ok');
        expect(await text(healthy.page, '#findings')).toContain('No findings this epoch.');
        for (const server of names) {
          expect(await text(healthy.page, `svg[data-metric="total"] g.bar[data-server="${server}"] text.value`)).toBe('4');
        }
        expect(await text(healthy.page, 'svg[data-metric="total"] g.threshold text')).toBe('1.5× avg = 6.0');
        expect(await healthy.page.locator('svg g.bar.hot').count()).toBe(0);
        expect(await heardMatrix(healthy.page)).toEqual(Object.fromEntries(names.map((n) => [n, names])));
      } finally {
        await healthy.close();
      }

      const hot = names[1]!;
      await concentrateLeaders(app, { onto: hot, streams, consumers: true });
      // 3.0x is past critical_ratio, but new: a warning until it persists (an election never pages).
      const uneven = await render('uneven', ['--state', state], 1);
      try {
        const { page } = uneven;
        expect(await page.locator('header.verdict').getAttribute('data-status')).toBe('warning');
        for (const server of names) {
          const led = server === hot ? STREAMS : 0;
          expect(await text(page, `svg[data-metric="streams"] g.bar[data-server="${server}"] text.value`)).toBe(String(led));
          expect(await text(page, `svg[data-metric="total"] g.bar[data-server="${server}"] text.value`)).toBe(String(2 * led));
        }
        // Averages 2 streams and 4 groups per server: lines at 3.0 and 6.0, the hot bar above them.
        expect(await text(page, 'svg[data-metric="streams"] g.threshold text')).toBe('1.5× avg = 3.0');
        expect(await text(page, 'svg[data-metric="total"] g.threshold text')).toBe('1.5× avg = 6.0');
        const line = (await page.locator('svg[data-metric="total"] g.threshold line').boundingBox())!;
        const hotBar = (await page.locator(`svg[data-metric="total"] g.bar[data-server="${hot}"] rect`).boundingBox())!;
        expect(line.width).toBeGreaterThan(0);
        expect(hotBar.y).toBeLessThan(line.y);
        expect(await page.locator('svg[data-metric="total"] g.bar.hot').count()).toBe(1);

        const finding = page.locator('article[data-check="uneven_leader_distribution"]');
        expect(await finding.locator('.badge').textContent()).toBe('WARNING');
        expect(await finding.locator('.summary').textContent()).toContain(`${hot} leads ${STREAMS} streams (3.0x the average of 2.0)`);
        const commands = await finding.locator('code.command').allTextContents();
        expect(commands.filter((cmd) => cmd.startsWith('nats stream cluster step-down ORDERS_'))).toHaveLength(4);
        expect(commands.filter((cmd) => cmd.startsWith('nats consumer cluster step-down ORDERS_'))).toHaveLength(4);
        // Lifecycle: two epochs remembered, the finding new this epoch.
        expect(await page.locator('table.history tbody tr').count()).toBe(2);
        expect(await text(page, 'table.lifecycle.open tr[data-check="uneven_leader_distribution"] td:nth-child(7)')).toBe('new');
      } finally {
        await uneven.close();
      }
    } finally {
      await app.close();
    }
  });
});
