import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { parseAuditEvent } from '../../../lib/serverless/lambda-event.js';
import { ENVIRONMENT, readLambdaEnvironment, topicRegion } from '../../../lib/serverless/lambda-environment.js';
import { clusterConfigs } from '../../support/audit-stack.js';

const TOPIC = 'arn:aws:sns:eu-west-1:111111111111:nats-audit-findings';

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseAuditEvent', () => {
  it('normalises the scheduled time so retries share one idempotency key', () => {
    expect(parseAuditEvent({ cluster: 'east', scheduledTime: '2026-11-23T16:40:00Z' })).toEqual({
      cluster: 'east',
      scheduledTime: '2026-11-23T16:40:00.000Z',
    });
  });

  it.each([
    [null, 'event'],
    [{ scheduledTime: '2026-11-23T16:40:00Z' }, 'event.cluster'],
    [{ cluster: 'east', scheduledTime: 'now' }, 'event.scheduledTime'],
    [{ cluster: 'east', scheduledTime: '2026-11-23T16:40:00Z', extra: 1 }, 'event'],
  ])('names the field of a bad event %j', (event, field) => {
    expect(errorOf(() => parseAuditEvent(event)).field).toBe(field);
  });

  it.each([
    ['a string', 'not an event', 'event: expected an object, got string'],
    ['a number for the cluster', { cluster: 7, scheduledTime: '2026-11-23T16:40:00Z' }, 'event.cluster: expected a string, got number'],
    ['an extra field', { cluster: 'east', scheduledTime: '2026-11-23T16:40:00Z', extra: 1 }, 'event: unknown field "extra"'],
  ])('says what is wrong with %s in its own words', (_name, event, message) => {
    expect(errorOf(() => parseAuditEvent(event)).message).toBe(message);
  });
});

describe('readLambdaEnvironment', () => {
  const [east] = clusterConfigs([{ name: 'east', servers: ['nats://10.0.0.1:4222'], credentialsSecret: 'nats-audit/east' }]);
  const env = (clusters: unknown, extra: Record<string, string> = {}) => ({
    [ENVIRONMENT.clusters]: JSON.stringify(clusters),
    [ENVIRONMENT.table]: 'table',
    [ENVIRONMENT.topicArn]: TOPIC,
    ...extra,
  });

  it('reads the clusters the stack wrote', () => {
    const read = readLambdaEnvironment(env([east]));
    expect(read.clusters.get('east')).toEqual(east);
    expect(read).toMatchObject({ tableName: 'table', topicArn: TOPIC, historyDays: 30 });
  });

  it('reads the compressed form the stack writes past 4 KB, and the watchdog\'s environment and health topic', () => {
    // Prepare
    const { [ENVIRONMENT.clusters]: plain, ...rest } = env([east]);
    const packed = gzipSync(plain!).toString('base64');
    const health = 'arn:aws:sns:eu-west-1:222222222222:health';

    // Act
    const read = readLambdaEnvironment({ ...rest, [ENVIRONMENT.clustersGz]: packed, [ENVIRONMENT.environment]: 'prod', [ENVIRONMENT.healthTopicArn]: health });

    // Assess
    expect(read.clusters.get('east')).toEqual(east);
    expect(read).toMatchObject({ environmentName: 'prod', healthTopicArn: health });
  });

  it('names a compressed variable that is not base64 gzip, and a health topic that is not a topic', () => {
    const { [ENVIRONMENT.clusters]: _plain, ...rest } = env([east]);
    const bad = errorOf(() => readLambdaEnvironment({ ...rest, [ENVIRONMENT.clustersGz]: 'bm90IGd6aXA=' }));
    expect([bad.field, bad.problem]).toEqual([ENVIRONMENT.clustersGz, 'is not base64-encoded gzip']);
    const topic = errorOf(() => readLambdaEnvironment(env([east], { [ENVIRONMENT.healthTopicArn]: 'health' })));
    expect([topic.field, topic.problem]).toEqual([ENVIRONMENT.healthTopicArn, 'must be an SNS topic ARN']);
  });

  it('keeps an invalid cluster as its error so its epochs can report it', () => {
    const read = readLambdaEnvironment(env([east, { ...east, name: 'west', timeoutMs: 'soon' }]));
    const west = read.clusters.get('west');
    expect(west).toBeInstanceOf(ConfigError);
    expect((west as ConfigError).field).toBe(`${ENVIRONMENT.clusters}[1].timeoutMs`);
    expect(read.clusters.get('east')).toEqual(east);
  });

  it.each([
    [{ [ENVIRONMENT.table]: 'table', [ENVIRONMENT.topicArn]: TOPIC }, ENVIRONMENT.clusters, 'is not set'],
    [{ [ENVIRONMENT.clusters]: '{', [ENVIRONMENT.table]: 't', [ENVIRONMENT.topicArn]: TOPIC }, ENVIRONMENT.clusters, 'is not JSON'],
    [env([east], { [ENVIRONMENT.topicArn]: 'topic' }), ENVIRONMENT.topicArn, 'must be an SNS topic ARN'],
    [env([east], { [ENVIRONMENT.historyDays]: '0' }), ENVIRONMENT.historyDays, 'must be a whole number of days, at least 1'],
    [env([{ servers: [] }]), `${ENVIRONMENT.clusters}[0].name`, 'is missing'],
  ])('rejects a bad environment, naming the variable', (given, field, problem) => {
    const error = errorOf(() => readLambdaEnvironment(given));
    expect([error.field, error.problem]).toEqual([field, problem]);
  });

  it('says what is wrong with a cluster in its own words, quoting an odd key instead of breaking the line', () => {
    // Act
    const read = readLambdaEnvironment(env([{ ...east, thresholds: { 'bad\nkey': 'x' } }]));

    // Assess
    const error = read.clusters.get('east') as ConfigError;
    expect([error.field, error.problem]).toEqual([`${ENVIRONMENT.clusters}[0].thresholds["bad\\nkey"]`, 'expected an object, got string']);
  });

  it('finds the topic region, which may differ from the function region', () => {
    expect(topicRegion(TOPIC)).toBe('eu-west-1');
  });
});
