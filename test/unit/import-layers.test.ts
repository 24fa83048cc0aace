import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importEdges, layerViolations, readLayerOrder, type ImportEdge } from '../support/import-layers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const order = readLayerOrder(readFileSync(`${root}/README.md`, 'utf8'));
const edges = importEdges(root, ['lib', 'bin', 'functions']);

describe('imports in lib/, bin/ and functions/', () => {
  it('point down the layer order the README writes', () => {
    expect(layerViolations(edges, order)).toEqual([]);
  });

  it('form no cycle', () => {
    expect(importCycles(edges).map((c) => c.join(' -> '))).toEqual([]);
  });
});

describe('the layer rules', () => {
  const edge = (from: string, to: string): ImportEdge => ({ from, to, specifier: to });
  const ladder = [['util', 'errors'], ['domain'], ['sampling', 'observation'], ['checks']];

  it('name an import up the order, between peers, or from a folder the order leaves out', () => {
    const found = layerViolations(
      [
        edge('lib/domain/a.ts', 'lib/checks/b.ts'),
        edge('lib/sampling/a.ts', 'lib/observation/b.ts'),
        edge('lib/checks/a.ts', 'lib/errors.ts'),
        edge('lib/checks/a.ts', 'lib/checks/c.ts'),
        edge('lib/newfolder/a.ts', 'lib/util/b.ts'),
      ],
      ladder,
    );
    expect(found).toEqual([
      'lib/domain/a.ts imports lib/checks/b.ts: domain sits below checks',
      'lib/sampling/a.ts imports lib/observation/b.ts: sampling and observation are peers, neither imports the other',
      "newfolder is not placed in the README's layer order",
    ]);
  });

  it('find a cycle through several files', () => {
    const cycles = importCycles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts'), edge('c.ts', 'a.ts'), edge('c.ts', 'd.ts')]);
    expect(cycles).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });
});
