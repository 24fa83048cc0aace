/**
 * `nats-audit check --sample FILE --format html` as an operator runs it,
 * in-process through the CLI's own entry (a sample needs no cluster), on
 * the uneven epochs recorded from real clusters: n1 led every R3 stream
 * and consumer (6 of each, 3 servers). The page must carry the figures an
 * incident ticket needs, not just exit cleanly.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../lib/cli/main.js';
import { readPage } from '../../support/html-page.js';
import { FIXTURE_DIR, FIXTURE_VERSIONS } from '../../support/openmetrics-scenarios.js';

async function checkHtml(sampleFile: string): Promise<{ code: number; page: string; stderr: string }> {
  let page = '';
  let stderr = '';
  const code = await main(['check', '--sample', sampleFile, '--format', 'html'], {
    stdout: (text) => (page += text),
    stderr: (text) => (stderr += text),
    env: {},
    signal: new AbortController().signal,
  });
  return { code, page, stderr };
}

/** The one SVG chart of `metric` (`streams`, `consumers`, `total`). */
function chart(page: string, metric: string): string {
  const svgs = [...page.matchAll(new RegExp(`<svg class="chart" data-metric="${metric}"[^>]*>(.*?)</svg>`, 'gs'))];
  expect(svgs, `charts of ${metric}`).toHaveLength(1);
  return svgs[0]![1]!;
}

/** A bar's class, count, label and drawn rectangle. */
function bar(svg: string, server: string) {
  const m = new RegExp(`<g class="(bar[^"]*)" data-server="${server}" data-count="(\\d+)">(.*?)</g>`, 's').exec(svg);
  expect(m, `bar of ${server}`).not.toBeNull();
  const [, cls, count, body] = m as unknown as [string, string, string, string];
  const rect = /<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)">/.exec(body);
  expect(rect, `rectangle of ${server}`).not.toBeNull();
  const value = /<text class="value"[^>]*>(\d+)<\/text>/.exec(body)?.[1];
  return { cls, count: Number(count), value, y: Number(rect![1]), height: Number(rect![2]) };
}

/** The hot line: its ratio, value, label and where it is drawn. */
function threshold(svg: string) {
  const m = /<g class="threshold" data-threshold="([\d.]+)" data-ratio="([\d.]+)"><line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)" y2="([\d.]+)"><\/line>\s*<text[^>]*>(.*?)<\/text>\s*<\/g>/.exec(svg);
  expect(m, 'threshold line').not.toBeNull();
  const [, value, ratio, y1, y2, label] = m as unknown as string[];
  return { value: Number(value), ratio: Number(ratio), y1: Number(y1), y2: Number(y2), label };
}

describe('check --sample FILE --format html on a recorded uneven epoch', () => {
  for (const version of FIXTURE_VERSIONS) {
    it(`${version}: n1's hot bars with their counts, the 1.5x line where 3.0 falls, and the finding with its step-down commands`, async () => {
      // Act
      const { code, page, stderr } = await checkHtml(join(FIXTURE_DIR, version, 'uneven', '01-piled.json.gz'));

      // Assess: a warning at first sight, one page, nothing on stderr.
      expect(stderr).toBe('');
      expect(code).toBe(1);
      const { text } = readPage(page);

      for (const metric of ['streams', 'consumers']) {
        const svg = chart(page, metric);
        const hot = bar(svg, 'n1');
        expect(hot).toMatchObject({ cls: 'bar hot', count: 6, value: '6' });
        expect(hot.height).toBeGreaterThan(0);
        for (const cold of ['n2', 'n3']) expect(bar(svg, cold)).toMatchObject({ cls: 'bar', count: 0, value: '0', height: 0 });
        // Average 2 of 6: the line at 1.5x = 3.0, drawn half-way up n1's bar of 6.
        const line = threshold(svg);
        expect(line).toMatchObject({ value: 3, ratio: 1.5, label: '1.5&times; avg = 3.0' });
        expect(line.y1).toBe(line.y2);
        const axis = hot.y + hot.height;
        expect(line.y1).toBeCloseTo(axis - hot.height / 2, 6);
      }
      expect(bar(chart(page, 'total'), 'n1')).toMatchObject({ cls: 'bar hot', count: 12 });
      expect(text).toContain('1.5× avg = 3.0');

      const finding = /<article class="finding warning" data-check="uneven_leader_distribution" data-subject="cluster:c1">(.*?)<\/article>/s.exec(page)?.[1];
      expect(finding, 'the uneven_leader_distribution finding').toBeDefined();
      expect(readPage(`<!DOCTYPE html>${finding}`).text).toContain('Leaders concentrated in cluster c1: n1 leads 6 streams (3.0x the average of 2.0)');
      // Four moves bring n1 from 6 to the average of 2, for streams and consumers alike.
      const commands = [...finding!.matchAll(/<code class="command">(nats (?:stream|consumer) cluster step-down [^<]*)<\/code>/g)].map((m) => m[1]);
      expect(commands).toEqual([
        ...[1, 2, 3, 4].map((i) => `nats stream cluster step-down ORDERS_${i}`),
        ...[1, 2, 3, 4].map((i) => `nats consumer cluster step-down ORDERS_${i} C1`),
      ]);
    });
  }
});
