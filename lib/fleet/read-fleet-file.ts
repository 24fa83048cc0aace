import { readFileSync } from 'node:fs';
import type { CheckRegistry } from '../checks/registry.js';
import { ConfigError } from '../errors.js';
import { parseFleetConfig, type FleetConfig } from './fleet-config.js';

/**
 * Reads and validates a fleet file. Synchronous because its callers (the CDK
 * app at synth, the CLI at start) can do nothing before it is read.
 */
export function readFleetFile(path: string, registry: CheckRegistry, field = '--fleet'): FleetConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(field, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(field, `${path} is not valid JSON (${(error as Error).message.replace(/\s+/g, ' ')})`);
  }
  return parseFleetConfig(json, registry, path);
}
