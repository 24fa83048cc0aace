// Preloaded into the CLI (node --import) to hold every read of one file for
// NATS_AUDIT_TEST_SLOW_READ_MS after it completes: a state file read at load
// then goes stale for that long before the save, so two watchers of one
// cluster reliably race for the same revision.
import { syncBuiltinESMExports } from 'node:module';
import fsp from 'node:fs/promises';

const path = process.env.NATS_AUDIT_TEST_SLOW_READ_FILE;
const delayMs = Number(process.env.NATS_AUDIT_TEST_SLOW_READ_MS ?? 0);
if (path && delayMs > 0) {
  const readFile = fsp.readFile;
  fsp.readFile = async (file, ...rest) => {
    const content = await readFile(file, ...rest);
    if (String(file) === path) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return content;
  };
  syncBuiltinESMExports();
}
