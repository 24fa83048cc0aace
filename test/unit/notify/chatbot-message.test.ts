import { describe, expect, it } from 'vitest';
import { CHATBOT_LIMITS, chatbotMessage, type ChatbotNotification } from '../../../lib/notify/chatbot-message.js';
import { selectNotifications } from '../../../lib/notify/select-notifications.js';
import type { Notification } from '../../../lib/notify/types.js';
import { HOUR, NOW, WARNING_ONLY, delivery, finding, notificationOf, ongoing, openFinding, splitBrain } from './notify-fixtures.js';

/** Every documented limit of a custom notification, checked on a built message. */
function expectWithinLimits(m: ChatbotNotification): void {
  expect(m.content.title.length).toBeLessThanOrEqual(CHATBOT_LIMITS.title);
  expect(m.content.description.length).toBeLessThanOrEqual(CHATBOT_LIMITS.description);
  for (const step of m.content.nextSteps ?? []) {
    expect(step.length).toBeLessThanOrEqual(CHATBOT_LIMITS.nextStep);
    expect(step.split('`').length % 2).toBe(1);
  }
  expect((m.content.nextSteps ?? []).length).toBeLessThanOrEqual(CHATBOT_LIMITS.nextSteps);
  for (const keyword of m.content.keywords) expect(keyword.length).toBeLessThanOrEqual(CHATBOT_LIMITS.keyword);
  for (const value of Object.values(m.metadata.additionalContext)) {
    expect(typeof value).toBe('string');
    expect(value.length).toBeGreaterThan(0);
  }
  // Unbalanced fences or inline code would swallow the rest of the message in Slack.
  expect(m.content.description.split('```').length % 2).toBe(1);
  expect(m.content.title.split('`').length % 2).toBe(1);
}

describe('chatbotMessage', () => {
  it('is a custom notification event: version 1.0, source custom, client markdown', () => {
    // Prepare
    const n = notificationOf(splitBrain);

    // Act
    const m = chatbotMessage(n);

    // Assess
    expect(m).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: {
        textType: 'client-markdown',
        title: ':red_circle: *CRITICAL* `prod-east`: `meta_leader_disagreement` new',
        nextSteps: ['`nats server request jetstream --leader`', '`nats server raft step-down --cluster c1`', 'Verify with nats-audit check.'],
        keywords: ['CRITICAL', 'prod-east', 'meta_leader_disagreement'],
      },
      metadata: {
        eventType: 'new',
        enableCustomActions: false,
        summary: 'CRITICAL prod-east: 2 servers follow n3 while n1 claims leadership: n1 says n1; n2, n3 say n3',
        additionalContext: {
          cluster: 'prod-east',
          check: 'meta_leader_disagreement',
          subject: 'meta:default',
          severity: 'critical',
          transition: 'new',
          epoch: '7',
        },
      },
    });
    expect(m.content.description).toContain('*Details*\n```\nviews: n1=n1 n2=n3 n3=n3\nterms: n1=4 n2=5 n3=5\nleaders: n1, n3\n```');
    expect(m.content.description).toContain('*Servers that answered (3)*\n```\nn1  2.9.10  meta leader: n1\n');
    expectWithinLimits(m);
    // The JSON SNS carries must round-trip to the same event.
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it('threads every notice of one finding together, with a distinct id per notice', () => {
    // Prepare
    const opened = notificationOf(splitBrain);
    const [persisted] = selectNotifications(
      delivery({ findings: [ongoing(splitBrain, 'became_persistent')], previousOpen: [openFinding(splitBrain, NOW - HOUR)] }),
      WARNING_ONLY,
    );
    const other = notificationOf(finding({ check: 'clock_skew', subject: 'server:n3', severity: 'warning' }));

    // Act
    const [a, b, c] = [opened, persisted!, other].map(chatbotMessage);

    // Assess
    expect(a!.metadata.threadId).toMatch(/^nats-audit-[0-9a-f]{32}$/);
    expect(b!.metadata.threadId).toBe(a!.metadata.threadId);
    expect(c!.metadata.threadId).not.toBe(a!.metadata.threadId);
    expect(new Set([a!.id, b!.id, c!.id]).size).toBe(3);
    expect(chatbotMessage(opened).id).toBe(a!.id);
  });

  it('keeps a huge finding within every limit, fences balanced, and says how many steps were left out', () => {
    // Prepare
    const huge = finding({
      check: 'uneven_leader_distribution' + '_'.repeat(300),
      subject: 'cluster:`c1`' + 'x'.repeat(300),
      severity: 'warning',
      summary: '```' + 's'.repeat(20_000),
      details: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`group${i}`, { text: '```'.repeat(100) + 'z'.repeat(2_000) }])),
      remediation: Array.from({ length: 40 }, (_, i) => `nats consumer cluster step-down STREAM_${i} CONSUMER_${'c'.repeat(400)}`),
    });
    const n: Notification = {
      ...notificationOf(huge),
      cluster: 'prod-' + '`'.repeat(400),
      servers: Array.from({ length: 500 }, (_, i) => ({ name: `server-${i}-${'n'.repeat(60)}`, cluster: 'c1', version: '2.10.22', metaLeader: null })),
      notices: Array.from({ length: 20 }, () => 'note '.repeat(300)),
    };

    // Act
    const m = chatbotMessage(n);

    // Assess
    expectWithinLimits(m);
    expect(m.content.nextSteps).toHaveLength(CHATBOT_LIMITS.nextSteps);
    expect(m.content.nextSteps?.at(-1)).toBe('… and 36 more steps: see the email, or run `nats-audit check`');
  });

  it('omits nextSteps for a resolution, which has nothing to run', () => {
    const [n] = selectNotifications(
      delivery({
        resolved: [{ check: 'clock_skew', subject: 'server:n3', severity: 'warning', peakSeverity: 'warning', summary: 'skew', firstSeen: NOW - HOUR, resolvedAt: NOW, epochs: 3 }],
      }),
      WARNING_ONLY,
    );
    const m = chatbotMessage(n!);
    expect(m.content.nextSteps).toBeUndefined();
    expect(m.content.title).toBe(':white_check_mark: *RESOLVED* `prod-east`: `clock_skew` resolved');
  });
});
