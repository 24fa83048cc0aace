import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAMBDA_NODE_MAJOR } from '../support/lambda-node.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface LockedPackage {
  readonly os?: string | readonly string[];
  readonly cpu?: string | readonly string[];
  readonly optional?: boolean;
  readonly devOptional?: boolean;
}

describe('installing the project', () => {
  it('npm ci works on any platform: every package restricted to some os or cpu is optional', () => {
    // npm refuses the whole install (EBADPLATFORM) when a package it must
    // install names another platform; only optional ones are skipped. An
    // operator deploying from an ARM laptop or a Graviton host must get a
    // working `npm ci`, whatever the test tooling needs on x64 Linux.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };
    const restricted = Object.entries(lock.packages).filter(([, p]) => p.os !== undefined || p.cpu !== undefined);
    expect(restricted.length).toBeGreaterThan(0); // esbuild's per-platform binaries, at least
    expect(restricted.filter(([, p]) => p.optional !== true && p.devOptional !== true).map(([path]) => path)).toEqual([]);
  });

  it('the Lambda runtime the tests fetch is the major version the function deploys on', () => {
    const script = readFileSync(join(ROOT, '.ci', 'install-lambda-node'), 'utf8');
    const version = /^version=(\d+)\.\d+\.\d+$/m.exec(script)?.[1];
    expect(version).toBe(String(LAMBDA_NODE_MAJOR));
  });
});
