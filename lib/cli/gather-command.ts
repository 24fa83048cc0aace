import { parseGatherConfig } from '../config/check-config.js';
import { gather } from '../sampling/gather.js';
import { writeSampleFile } from '../sampling/sample-file.js';
import type { CommandIo } from './io.js';

/** `nats-audit gather`: save one epoch's raw replies for offline analysis or a support ticket. */
export async function gatherCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { connection, outPath } = parseGatherConfig(argv, io.env);
  const sample = await gather({
    servers: connection.servers,
    auth: connection.auth,
    tls: connection.tls,
    expectServers: connection.expectServers,
    timeoutMs: connection.timeoutMs,
    // Saved, not judged: nothing would read the decodings.
    decodeOnArrival: false,
    onProgress: (event) => {
      if (event.type === 'vantage-failed') io.stderr(`${event.kind}: ${event.message}\n`);
    },
  });
  await writeSampleFile(outPath, sample);
  const replies = sample.vantages.reduce((n, v) => n + v.requests.reduce((m, r) => m + r.replies.length, 0), 0);
  const connected = sample.vantages.filter((v) => v.connected).length;
  io.stderr(`wrote ${outPath}: ${replies} replies through ${connected} of ${sample.vantages.length} vantages in ${Math.round(sample.durationMs)} ms\n`);
  return 0;
}
