/**
 * Throwaway certificates made with openssl for TLS tests. openssl is part
 * of every Debian base image this suite runs on; without it these helpers
 * fail loudly rather than skipping TLS coverage.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Validity of every test certificate, in days: long enough for any run, short enough to be harmless if leaked. */
const VALID_DAYS = '2';

export interface CertFactory {
  /** Path of `name` in the factory's directory. */
  f(name: string): string;
  /** `<prefix>-ca.pem` / `<prefix>-ca.key`: a self-signed CA. */
  makeCa(prefix: string): void;
  /** `<name>.pem` / `<name>.key` signed by `<ca>-ca`, with the X.509 extensions in the file `ext` (relative to the directory). */
  makeLeaf(ca: string, name: string, ext: string): void;
}

export function certFactory(dir: string): CertFactory {
  const f = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.error) throw new Error(`openssl could not be run (${r.error.message}); it is needed to make the test certificates`);
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  };
  return {
    f,
    makeCa(prefix) {
      openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', VALID_DAYS, '-subj', `/CN=${prefix} test CA`,
        '-keyout', f(`${prefix}-ca.key`), '-out', f(`${prefix}-ca.pem`));
    },
    makeLeaf(ca, name, ext) {
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
      openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f(`${ca}-ca.pem`), '-CAkey', f(`${ca}-ca.key`), '-CAcreateserial',
        '-days', VALID_DAYS, '-extfile', f(ext), '-out', f(`${name}.pem`));
    },
  };
}
