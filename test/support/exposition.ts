/**
 * A strict reader of the OpenMetrics text nats-audit writes, for tests: it
 * throws on anything the format does not allow that the renderer could get
 * wrong (a family split or declared twice, a sample before its TYPE, an
 * unescaped label value, a missing or early `# EOF`), and returns every
 * sample with its labels unescaped.
 */
export interface ExpositionSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** The sample's series as written (`name{labels}`): valid PromQL selector syntax too. */
  readonly series: string;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parseExposition(text: string): ExpositionSample[] {
  if (!text.endsWith('# EOF\n')) throw new Error('does not end with "# EOF" and a line feed');
  const lines = text.slice(0, -'# EOF\n'.length).split('\n');
  if (lines.at(-1) !== '') throw new Error('text after the last line feed');
  lines.pop();
  const declared = new Set<string>();
  let family: string | undefined;
  const samples: ExpositionSample[] = [];
  for (const line of lines) {
    const meta = /^# (TYPE|UNIT|HELP) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === 'TYPE') {
        if (declared.has(name)) throw new Error(`family ${name} declared twice`);
        if (rest !== 'gauge') throw new Error(`family ${name} is ${rest}, expected gauge`);
        declared.add(name);
        family = name;
      } else if (name !== family) throw new Error(`${kind} for ${name} outside its family`);
      if (kind === 'UNIT' && !name.endsWith(`_${rest}`)) throw new Error(`${name} does not end in its unit ${rest}`);
      continue;
    }
    if (line.startsWith('#')) throw new Error(`unexpected comment ${JSON.stringify(line)}`);
    const sample = parseSample(line);
    if (sample.name !== family) throw new Error(`sample ${sample.name} outside its family (in ${family})`);
    samples.push(sample);
  }
  const seen = new Set<string>();
  for (const s of samples) {
    if (seen.has(s.series)) throw new Error(`duplicate series ${s.series}`);
    seen.add(s.series);
  }
  return samples;
}

function parseSample(line: string): ExpositionSample {
  const open = line.indexOf('{');
  const name = line.slice(0, open);
  if (open < 0 || !NAME.test(name)) throw new Error(`bad sample line ${JSON.stringify(line)}`);
  const labels: Record<string, string> = {};
  let i = open + 1;
  while (line[i] !== '}') {
    const eq = line.indexOf('="', i);
    const label = line.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(label)) throw new Error(`bad label in ${JSON.stringify(line)}`);
    if (label in labels) throw new Error(`label ${label} twice in ${JSON.stringify(line)}`);
    let value = '';
    for (i = eq + 2; line[i] !== '"'; i++) {
      const c = line[i];
      if (c === undefined || c === '\n') throw new Error(`unterminated label value in ${JSON.stringify(line)}`);
      if (c === '\\') {
        const next = line[++i];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`bad escape \\${next} in ${JSON.stringify(line)}`);
      } else value += c;
    }
    labels[label] = value;
    i++;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`expected , or } in ${JSON.stringify(line)}`);
  }
  const series = line.slice(0, i + 1);
  const rest = line.slice(i + 1);
  const m = /^ (-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|[+-]Inf)$/.exec(rest);
  if (!m) throw new Error(`bad value in ${JSON.stringify(line)}`);
  const value = m[1] === '+Inf' ? Infinity : m[1] === '-Inf' ? -Infinity : Number(m[1]);
  return { name, labels, value, series };
}
