/**
 * A durable, replicated pull consumer that a loop drains and acknowledges
 * until stopped: consumer deliveries for the load tests, counted by the
 * servers as `delivered.stream_seq`.
 */
import { AckPolicy, type NatsConnection } from 'nats';

export interface DrainingConsumer {
  /** Messages received and acknowledged so far. */
  readonly acknowledged: () => number;
  /** The server leading the consumer's Raft group now, by its own info. */
  readonly leader: () => Promise<string | undefined>;
  readonly stop: () => Promise<void>;
}

export async function startDrainingConsumer(app: NatsConnection, stream: string, durable: string): Promise<DrainingConsumer> {
  const jsm = await app.jetstreamManager();
  // Idempotent: the same config again leaves an existing consumer as it is.
  await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit });
  const messages = await (await app.jetstream().consumers.get(stream, durable)).consume({ max_messages: 100 });
  let acknowledged = 0;
  const done = (async () => {
    for await (const m of messages) {
      m.ack();
      acknowledged++;
    }
  })();
  return {
    acknowledged: () => acknowledged,
    leader: async () => (await jsm.consumers.info(stream, durable)).cluster?.leader,
    stop: async () => {
      await messages.close();
      await done;
    },
  };
}
