import { execFileSync } from 'node:child_process';

/**
 * CLI tests run the built `dist/bin/nats-audit.js` as an operator would, so
 * build once before any test file starts; a stale build would test old code.
 */
export default function buildOnce(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // `npm run build`'s second step: the CLI the tests run is the bundle an operator gets.
  execFileSync(process.execPath, ['bin/bundle-cli.mjs'], { stdio: 'inherit' });
}
