/**
 * Operator commands quoted in remediation, in one place so every check
 * speaks the same natscli dialect.
 */
export const natscli = {
  reportJetStream: 'nats server report jetstream',
  metaStepDown: 'nats server cluster step-down',
  routes: 'nats server request routes',
  peerRemove: (server: string) => `nats server cluster peer-remove ${server}`,
  streamStepDown: (stream: string) => `nats stream cluster step-down ${quoteArg(stream)}`,
  consumerStepDown: (stream: string, consumer: string) =>
    `nats consumer cluster step-down ${quoteArg(stream)} ${quoteArg(consumer)}`,
} as const;

/** Stream and consumer names may hold characters a shell would interpret. */
function quoteArg(value: string): string {
  return /^[A-Za-z0-9_.=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
