/**
 * An in-process SNS/SQS emulator (fauxqs) on a loopback port, with real SDK
 * clients pointed at it over HTTP: what is published goes through SNS fan-out
 * and filter policies into SQS queues, where tests read it back.
 *
 * What fauxqs 1.9.2 does and does not emulate, as relied on here:
 * - Filter policies on MessageAttributes, raw message delivery, PublishBatch
 *   with per-entry failures (e.g. over 256 KB, or no MessageGroupId on a FIFO topic).
 * - `MessageStructure: 'json'` is ignored: every subscriber receives the whole
 *   JSON `Message` verbatim (real SNS would hand an SQS subscriber its `sqs`
 *   key, else `default`), and an invalid structure is not refused.
 * - No restart: its state lives in stores the package does not export, so a
 *   stopped instance cannot come back with its topics. "SNS is down" is a
 *   client aimed at a closed port instead ({@link unreachableSns}).
 */
import { createServer } from 'node:net';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';

const LOOPBACK = '127.0.0.1';
const REGION = 'us-east-1';
/** fauxqs accepts any credentials; static ones keep the SDK from looking for real ones. */
const CREDENTIALS = { accessKeyId: 'fauxqs', secretAccessKey: 'fauxqs' };
/** Every request bounded: a hung emulator fails a test instead of stalling it. */
const REQUEST_HANDLER = { connectionTimeout: 2_000, requestTimeout: 5_000 };

export interface ReceivedMessage {
  /** The SQS body: the published `Message` itself with raw delivery, else the SNS JSON envelope. */
  readonly body: string;
  /** SQS message attributes (raw delivery carries the SNS ones here), as name → string value. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface SubscribedQueue {
  readonly queueUrl: string;
  /**
   * Every message the queue holds, deleted once read. fauxqs fans a Publish or
   * PublishBatch out to its subscribed queues synchronously, before it answers
   * (dist/sns/actions/publish.js calls `queue.enqueue` inside the request), so
   * once a publisher's call resolved its messages are here: no wait is needed,
   * and an absence means nothing was published.
   */
  drain(): Promise<ReceivedMessage[]>;
}

export interface Fauxqs {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  /** Another SNS client on this emulator, e.g. to instrument without touching `sns`; the caller destroys it. */
  newSnsClient(): SNSClient;
  createTopic(name: string, attributes?: Record<string, string>): Promise<string>;
  subscribeQueue(topicArn: string, filterPolicy?: Record<string, unknown>, options?: { raw?: boolean }): Promise<SubscribedQueue>;
  close(): Promise<void>;
}

export async function startFauxqs(): Promise<Fauxqs> {
  // fauxqs's own startFauxqs listens on 0.0.0.0; its app listened here stays on loopback.
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: 0, host: LOOPBACK });
  const endpoint = `http://${LOOPBACK}:${new URL(address).port}`;
  const sns = new SNSClient(clientConfig(endpoint));
  const sqs = new SQSClient(clientConfig(endpoint));
  let queues = 0;

  return {
    endpoint,
    sns,
    sqs,
    newSnsClient: () => new SNSClient(clientConfig(endpoint)),
    async createTopic(name, attributes) {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name, ...(attributes ? { Attributes: attributes } : {}) }));
      if (!TopicArn) throw new Error(`fauxqs returned no ARN for topic ${name}`);
      return TopicArn;
    },
    async subscribeQueue(topicArn, filterPolicy, options = {}) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `q${++queues}` }));
      if (!QueueUrl) throw new Error('fauxqs returned no queue URL');
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
      const queueArn = Attributes?.QueueArn;
      if (!queueArn) throw new Error(`fauxqs returned no ARN for queue ${QueueUrl}`);
      const attributes: Record<string, string> = {};
      if (filterPolicy) attributes.FilterPolicy = JSON.stringify(filterPolicy);
      if (options.raw) attributes.RawMessageDelivery = 'true';
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: attributes }));
      return { queueUrl: QueueUrl, drain: () => drain(sqs, QueueUrl) };
    },
    async close() {
      sns.destroy();
      sqs.destroy();
      await app.close();
    },
  };
}

/**
 * An SNS client aimed at a loopback port nothing listens on, with one attempt:
 * "SNS is down" without waiting through retries.
 */
export async function unreachableSns(): Promise<SNSClient> {
  const port = await closedPort();
  return new SNSClient({ ...clientConfig(`http://${LOOPBACK}:${port}`), maxAttempts: 1 });
}

function clientConfig(endpoint: string) {
  return { endpoint, region: REGION, credentials: CREDENTIALS, requestHandler: REQUEST_HANDLER };
}

async function drain(sqs: SQSClient, queueUrl: string): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return received;
    received.push(...Messages.map(toReceived));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

function toReceived(m: Message): ReceivedMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  return { body: m.Body ?? '', attributes };
}

/** A loopback port that was free a moment ago and is closed now. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no TCP address'))));
    });
  });
}
