/**
 * Every CLI flag with the environment variable that can stand in for it.
 * Variables follow natscli's names where one exists (NATS_URL, NATS_USER,
 * NATS_PASSWORD, ...) so an existing `nats` context environment works as is.
 */
export interface OptionSpec {
  readonly flag: string;
  readonly env?: string;
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly value?: string;
  readonly help: string;
}

export const CONNECTION_SPECS = {
  servers: { flag: 'servers', env: 'NATS_URL', type: 'string', value: 'URL[,URL...]', help: 'Server URLs; list every server so each is a vantage point (a partitioned server is still heard)' },
  user: { flag: 'user', env: 'NATS_USER', type: 'string', value: 'USER', help: 'System account user' },
  password: { flag: 'password', env: 'NATS_PASSWORD', type: 'string', value: 'PASSWORD', help: 'Password for --user (prefer the environment variable: flags show in ps)' },
  token: { flag: 'token', env: 'NATS_TOKEN', type: 'string', value: 'TOKEN', help: 'Authentication token' },
  nkey: { flag: 'nkey', env: 'NATS_NKEY', type: 'string', value: 'FILE', help: 'File holding a user NKey seed' },
  creds: { flag: 'creds', env: 'NATS_CREDS', type: 'string', value: 'FILE', help: 'Credentials file (JWT and seed) of a system account user' },
  tlsCa: { flag: 'tls-ca', env: 'NATS_CA', type: 'string', value: 'FILE', help: 'CA certificate to verify servers with (verification is always on)' },
  tlsCert: { flag: 'tls-cert', env: 'NATS_CERT', type: 'string', value: 'FILE', help: 'Client certificate for mutual TLS' },
  tlsKey: { flag: 'tls-key', env: 'NATS_KEY', type: 'string', value: 'FILE', help: 'Client private key for mutual TLS' },
  expectServers: { flag: 'expect-servers', env: 'NATS_AUDIT_EXPECT_SERVERS', type: 'string', value: 'N', help: 'Servers the cluster should have (default: the largest meta cluster size reported)' },
  timeout: { flag: 'timeout', env: 'NATS_AUDIT_TIMEOUT', type: 'string', value: 'MS', help: 'Deadline for one epoch\'s gathering in milliseconds (default 5000)' },
} as const satisfies Record<string, OptionSpec>;

export const CHECK_SPECS = {
  ...CONNECTION_SPECS,
  state: { flag: 'state', env: 'NATS_AUDIT_STATE', type: 'string', value: 'FILE', help: 'State file remembering the previous epoch (default ~/.local/state/nats-audit/state.json; with --sample: none unless given)' },
  format: { flag: 'format', env: 'NATS_AUDIT_FORMAT', type: 'string', value: 'text|json|html|openmetrics', help: 'Output format (default text); html prints one self-contained page (redirect it to a file), not with --watch or --fleet; openmetrics prints the epoch as metrics (not with --fleet)' },
  watch: { flag: 'watch', env: 'NATS_AUDIT_WATCH', type: 'string', value: 'SECONDS', help: 'Run an epoch every SECONDS until interrupted' },
  metricsListen: { flag: 'metrics-listen', env: 'NATS_AUDIT_METRICS_LISTEN', type: 'string', value: 'ADDR', help: 'With --watch: serve the last epoch as OpenMetrics on http://ADDR/metrics; ADDR is PORT (loopback), HOST:PORT or [IPv6]:PORT' },
  sample: { flag: 'sample', env: 'NATS_AUDIT_SAMPLE', type: 'string', value: 'FILE', help: 'Judge a sample saved by `gather` instead of asking servers' },
  skip: { flag: 'skip', env: 'NATS_AUDIT_SKIP', type: 'string', multiple: true, value: 'CHECK[,CHECK...]', help: 'Checks not to run' },
  threshold: { flag: 'threshold', env: 'NATS_AUDIT_THRESHOLDS', type: 'string', multiple: true, value: 'CHECK.KEY=VALUE', help: 'Override a threshold, e.g. uneven_leader_distribution.ratio=2 (repeatable)' },
  persistEpochs: { flag: 'persist-epochs', env: 'NATS_AUDIT_PERSIST_EPOCHS', type: 'string', value: 'N', help: 'Consecutive epochs before a finding counts as persistent (default 2)' },
  confirmDelay: { flag: 'confirm-delay', env: 'NATS_AUDIT_CONFIRM_DELAY', type: 'string', value: 'MS', help: 'When an epoch sees signs of an election, wait this long and sample again before deciding; again while a sign is unsettled, at most 4 times (default 3000, at most 9000: one election timeout)' },
  loadDetailEvery: { flag: 'load-detail-every', env: 'NATS_AUDIT_LOAD_DETAIL_EVERY', type: 'string', value: 'N', help: 'Ask every server for stream detail at least every N epochs, for leader_load_concentration\'s rates where servers count their own leaders (default 5)' },
  persistSeconds: { flag: 'persist-seconds', env: 'NATS_AUDIT_PERSIST_SECONDS', type: 'string', value: 'S', help: 'Minimum age before a finding counts as persistent (default 0)' },
  cluster: { flag: 'cluster', env: 'NATS_AUDIT_CLUSTER', type: 'string', value: 'NAME', help: 'Name for this cluster in output and state (default: the server URLs); with --fleet, audit only this cluster' },
  fleet: { flag: 'fleet', env: 'NATS_AUDIT_FLEET', type: 'string', value: 'FILE', help: 'Audit every cluster of a fleet file (as deployed to AWS); credentials come from each cluster\'s Secrets Manager secret unless auth flags are given' },
} as const satisfies Record<string, OptionSpec>;

export const GATHER_SPECS = {
  ...CONNECTION_SPECS,
  out: { flag: 'out', env: 'NATS_AUDIT_OUT', type: 'string', value: 'FILE', help: 'Where to write the sample (gzip-compressed JSON lines, owner-only; holds no credentials)' },
} as const satisfies Record<string, OptionSpec>;

export const REBALANCE_SPECS = {
  ...CONNECTION_SPECS,
  accounts: { flag: 'accounts', env: 'NATS_AUDIT_ACCOUNTS', type: 'string', value: 'FILE', help: 'JSON file with a user per account owning groups to move: {"accounts": {"APP": {"user": "...", "password": "..."}}} (step-downs act in the requester\'s account)' },
  execute: { flag: 'execute', type: 'boolean', help: 'Carry the plan out (default: dry run, print the plan and change nothing)' },
  dryRun: { flag: 'dry-run', type: 'boolean', help: 'Print the plan only (the default)' },
  movesPerSecond: { flag: 'moves-per-second', env: 'NATS_AUDIT_MOVES_PER_SECOND', type: 'string', value: 'N', help: 'Pace: leader moves started per second at most (default 1)' },
  maxMoves: { flag: 'max-moves', env: 'NATS_AUDIT_MAX_MOVES', type: 'string', value: 'N', help: 'Moves carried out in one run at most (default 50)' },
  cluster: { flag: 'cluster', env: 'NATS_AUDIT_REBALANCE_CLUSTER', type: 'string', value: 'NAME', help: 'Only rebalance the NATS cluster of this name (default: every cluster)' },
  format: { flag: 'format', env: 'NATS_AUDIT_FORMAT', type: 'string', value: 'text|json', help: 'Output format (default text)' },
  by: { flag: 'by', env: 'NATS_AUDIT_REBALANCE_BY', type: 'string', value: 'count|load', help: 'What to even out: leader counts (default), or stream writes per second (two samples --load-window apart)' },
  loadWindow: { flag: 'load-window', env: 'NATS_AUDIT_LOAD_WINDOW', type: 'string', value: 'SECONDS', help: 'With --by load: seconds between the two samples write rates are measured over (default 10)' },
} as const satisfies Record<string, OptionSpec>;

export const DEMO_SPECS = {
  streams: { flag: 'streams', type: 'string', value: 'N', help: 'Replicated streams to create (default 9)' },
  format: { flag: 'format', type: 'string', value: 'text|json', help: 'Output format of each epoch (default text)' },
} as const satisfies Record<string, OptionSpec>;
