#!/usr/bin/env node
// The CLI as tsc builds it, one module per source file. The package ships
// bin/nats-audit-bundled.ts instead (bin/bundle-cli.mjs), which runs the
// same main from one bundled script with its compiled code kept between runs.
import module from 'node:module';

// Node 22.1+ keeps compiled code between runs (in the OS temp directory), so
// each run stops re-parsing the same modules. Enabled before anything else
// is imported, which is why main.js is loaded below.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
if (process.env.NATS_AUDIT_DEBUG) process.setSourceMapsEnabled(true);
const { main } = await import('../lib/cli/main.js');
const { runProcess } = await import('../lib/cli/run-process.js');
await runProcess(main);
