/**
 * The Lambda's runtime for tests that run the deployed artifact: Node.js 24,
 * as `.ci/install-lambda-node` fetched it (its binary, not whatever node runs
 * vitest), or NATS_AUDIT_LAMBDA_NODE. Missing, the test fails saying how to
 * get it; never skipped.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Major version of `lambda.Runtime.NODEJS_24_X`, the runtime lib/infra/audit-function.ts deploys on. */
export const LAMBDA_NODE_MAJOR = 24;

/** Where `.ci/install-lambda-node` writes "<version> <path>" of the binary it fetched. */
function markerFile(): string {
  return join(process.env['NATS_AUDIT_NODE_DIR'] || join(homedir(), '.cache', 'nats-audit', 'node'), 'lambda.path');
}

/** The Node.js binary the Lambda runtime matches, or undefined when none is installed. */
export function findLambdaNode(): string | undefined {
  try {
    const binary = process.env['NATS_AUDIT_LAMBDA_NODE']?.trim() || readFileSync(markerFile(), 'utf8').trim().split(' ')[1];
    if (binary === undefined) return undefined;
    accessSync(binary, constants.X_OK);
    return binary;
  } catch {
    return undefined;
  }
}

/** Path of the Node.js binary the Lambda runtime matches; throws saying how to install it. */
export function lambdaNode(): string {
  const binary = findLambdaNode();
  if (binary !== undefined) return binary;
  throw new Error(
    `Node.js ${LAMBDA_NODE_MAJOR} (the Lambda runtime) is not installed: run \`bash .ci/install-lambda-node\`` +
      ' (or set NATS_AUDIT_LAMBDA_NODE to a Node.js 24 binary)',
  );
}
