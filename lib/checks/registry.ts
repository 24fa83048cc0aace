import type { CheckDefinition } from './types.js';

const ID_PATTERN = /^[a-z][a-z0-9_]*$/;
const THRESHOLD_KEY_PATTERN = /^[a-z][a-z0-9_]*$/;

/**
 * The set of checks an audit runs. Registration validates each definition so
 * a broken check fails at start-up, not during an incident.
 */
export class CheckRegistry {
  readonly #checks = new Map<string, CheckDefinition>();

  register(check: CheckDefinition): this {
    const problem = definitionProblem(check);
    if (problem) throw new Error(`check ${JSON.stringify(check.id)}: ${problem}`);
    if (this.#checks.has(check.id)) throw new Error(`check ${JSON.stringify(check.id)}: registered twice`);
    this.#checks.set(check.id, check);
    return this;
  }

  get(id: string): CheckDefinition | undefined {
    return this.#checks.get(id);
  }

  all(): readonly CheckDefinition[] {
    return [...this.#checks.values()];
  }

  ids(): readonly string[] {
    return [...this.#checks.keys()];
  }
}

/**
 * Definitions may come from plain data (or JavaScript), so a missing field
 * must be reported by name rather than crash with a TypeError.
 */
function definitionProblem(check: CheckDefinition): string | undefined {
  if (typeof check.id !== 'string') return 'id is missing';
  if (!ID_PATTERN.test(check.id)) return 'id must be snake_case';
  if (typeof check.title !== 'string') return 'title is missing';
  if (!check.title.trim()) return 'title is empty';
  if (typeof check.description !== 'string') return 'description is missing';
  if (!check.description.trim()) return 'description is empty';
  if (!Array.isArray(check.reads)) return 'reads is missing';
  if (!Array.isArray(check.severities)) return 'severities is missing';
  if (check.severities.length === 0) return 'no severities';
  if (!Array.isArray(check.thresholds)) return 'thresholds is missing';
  if (typeof check.run !== 'function') return 'run is not a function';
  const firstSight = check.criticalAtFirstSight;
  if (firstSight !== undefined) {
    if (typeof firstSight.when !== 'string' || !firstSight.when.trim()) return 'criticalAtFirstSight.when is missing';
    if (typeof firstSight.reason !== 'string' || !firstSight.reason.trim()) return 'criticalAtFirstSight.reason is missing';
    if (!check.severities.includes('critical')) return 'criticalAtFirstSight is declared but critical is not among its severities';
  }
  const keys = new Set<string>();
  for (const t of check.thresholds) {
    if (!THRESHOLD_KEY_PATTERN.test(t.key)) return `threshold ${JSON.stringify(t.key)}: key must be snake_case`;
    if (keys.has(t.key)) return `threshold ${t.key}: declared twice`;
    keys.add(t.key);
    if (!t.description.trim()) return `threshold ${t.key}: description is empty`;
    if (!Number.isFinite(t.default)) return `threshold ${t.key}: default is not a finite number`;
    if (t.default < t.min) return `threshold ${t.key}: default ${t.default} is below its minimum ${t.min}`;
  }
  return undefined;
}
