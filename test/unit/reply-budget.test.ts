/**
 * The per-epoch budget for decompressed replies (ReplyBudget), through
 * collectPing with a stand-in connection: bodies are taken from it as they
 * are decoded, and a reply that would overdraw it becomes a decodeError
 * that still counts as that server's answer.
 */
import type { NatsConnection } from 'nats';
import { describe, expect, it } from 'vitest';
import { collectPing, type ReplyBudget } from '../../lib/sampling/ping.js';
import type { RawRequest } from '../../lib/domain/raw-sample.js';
import { answeringText as answering } from '../support/answering-connection.js';

/** A system reply of about `size` characters from server `id`. */
function reply(id: string, size: number): string {
  const head = `{"server":{"name":"${id}","id":"${id}"},"data":{"pad":"`;
  return `${head}${'x'.repeat(Math.max(0, size - head.length - 3))}"}}`;
}

function ping(nc: NatsConnection, budget: ReplyBudget, maxReplyBytes = 10_000, expected = 2): Promise<RawRequest> {
  return collectPing(nc, 'JSZ', '{}', { expected: () => expected, deadlineMs: 5_000, maxReplyBytes, budget });
}

describe('the per-epoch reply budget', () => {
  it('takes each decoded body from the budget and refuses the gzipped reply that would overdraw it', async () => {
    // Prepare
    const budget: ReplyBudget = { totalBytes: 1_000, remaining: 1_000 };

    // Act
    const req = await ping(answering([reply('NA', 600), reply('NB', 600)], true), budget);

    // Assess
    expect(req.replies[0]!.body).toHaveLength(600);
    expect(req.replies[1]).toMatchObject({ decodeError: "the epoch's 1000-byte budget for decompressed replies is spent (400 bytes were left)" });
    expect(req.replies[1]!.body).toBeUndefined();
    expect(budget.remaining).toBe(400);
    // A refused reply is still one server's answer.
    expect(req.ended).toBe('all-expected');
  });

  it('refuses a plain body over what is left, while the per-reply cap keeps its own message', async () => {
    // Prepare
    const budget: ReplyBudget = { totalBytes: 1_000, remaining: 500 };

    // Act
    const req = await ping(answering([reply('NA', 700), reply('NB', 2_000)], false), budget, 1_500);

    // Assess
    expect(req.replies.map((r) => r.decodeError)).toEqual([
      "the epoch's 1000-byte budget for decompressed replies is spent (500 bytes were left)",
      'body of 2000 bytes exceeds the 1500-byte cap',
    ]);
    expect(budget.remaining).toBe(500);
  });

  it('a spent budget refuses without inflating anything', async () => {
    // Prepare
    const budget: ReplyBudget = { totalBytes: 100, remaining: 0 };

    // Act
    const req = await ping(answering([reply('NA', 50)], true), budget, 10_000, 1);

    // Assess
    expect(req.replies[0]!.decodeError).toBe("the epoch's 100-byte budget for decompressed replies is spent (0 bytes were left)");
  });
});
