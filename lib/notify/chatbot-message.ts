import { createHash } from 'node:crypto';
import { detailsLines } from './details-text.js';
import { clip, moreLine, truncate } from './text.js';
import { andMore, withinLines } from '../util/bounded.js';
import type { Notification, Transition } from './types.js';
import { TRANSITION_TAG, severityTag, whatChanged } from './wording.js';

/**
 * Limits of AWS Chatbot (Amazon Q Developer in chat applications) custom
 * notifications, from its "Custom notifications" event schema: a message over
 * them is dropped by Chatbot, not truncated, so they are enforced here.
 */
export const CHATBOT_LIMITS = {
  title: 250,
  description: 8_000,
  /** Per next step. */
  nextStep: 350,
  /** Steps sent; the documentation gives no count limit, so keep the list short. The email has all. */
  nextSteps: 5,
  /** Per keyword. */
  keyword: 75,
  /** Our caps, not Chatbot's: short metadata values. */
  summary: 250,
  contextValue: 256,
  servers: 25,
} as const;

/** The documented custom notification event, version 1.0. */
export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  /** Same notice, same id: a republished notice (after a failed epoch) can be recognised. */
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps?: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    /** One thread per finding, so its new, persistent and resolved notices read together. */
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: Transition;
    /** No custom action buttons: the remediation commands are for an operator's shell, not a chat button. */
    readonly enableCustomActions: false;
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

const EMOJI: Readonly<Record<string, string>> = {
  CRITICAL: ':red_circle:',
  WARNING: ':warning:',
  RESOLVED: ':white_check_mark:',
};

/** A command an operator runs, shown as code; prose steps stay prose. */
const COMMAND = /^(nats|nats-server|kubectl|systemctl|curl)\s/;

export function chatbotMessage(n: Notification): ChatbotNotification {
  const tag = severityTag(n);
  const emoji = n.transition === 'persistence_unknown' ? ':grey_question:' : (EMOJI[tag] ?? '');
  const title = `${emoji} *${tag}* ${code(n.cluster, 60)}: ${code(n.check, 80)} ${TRANSITION_TAG[n.transition]}`;
  const steps = nextSteps(n.finding?.remediation ?? []);
  return {
    version: '1.0',
    source: 'custom',
    id: digest(n.cluster, n.check, n.subject, n.transition, String(n.epoch.id ?? n.epoch.startedAt)),
    content: {
      textType: 'client-markdown',
      title: truncate(title, CHATBOT_LIMITS.title),
      description: description(n),
      ...(steps.length > 0 ? { nextSteps: steps } : {}),
      keywords: [tag, n.cluster, n.check].map((k) => clip(k, CHATBOT_LIMITS.keyword)),
    },
    metadata: {
      threadId: `nats-audit-${digest(n.cluster, n.check, n.subject)}`,
      summary: truncate(`${tag} ${clip(n.cluster, 100)}: ${clip(n.summary, CHATBOT_LIMITS.summary)}`, CHATBOT_LIMITS.summary),
      eventType: n.transition,
      enableCustomActions: false,
      additionalContext: context(n),
    },
  };
}

function description(n: Notification): string {
  const head = [
    prose(n.summary, 1_000),
    '',
    `*Finding* ${code(n.check)} ${code(n.subject)} (${n.severity})`,
    `*Change* ${prose(whatChanged(n), 1_000)}`,
    `*Epoch* ${n.epoch.id === null ? '-' : n.epoch.id} started ${n.epoch.startedAt}`,
  ].join('\n');
  let text = head;
  const add = (title: string, lines: string[]) => {
    const room = CHATBOT_LIMITS.description - text.length - title.length - 3;
    const block = codeBlock(lines, room);
    if (block !== undefined) text += `\n\n${title}\n${block}`;
  };
  if (n.actions && n.actions.length > 0) add('*Actions taken*', [...n.actions]);
  const details = n.finding ? detailsLines(n.finding.details, '') : [];
  if (details.length > 0) add('*Details*', details);
  if (n.servers.length > 0) add(`*Servers that answered (${n.servers.length})*`, serverLines(n));
  n.notices.slice(0, 5).forEach((notice, i) => {
    const line = `${i === 0 ? '\n' : ''}\n:information_source: ${prose(notice, 500)}`;
    if (text.length + line.length <= CHATBOT_LIMITS.description) text += line;
  });
  return truncate(text, CHATBOT_LIMITS.description);
}

function serverLines(n: Notification): string[] {
  const { shown, more } = withinLines(n.servers, CHATBOT_LIMITS.servers);
  const lines = shown.map((s) => {
    const leader = s.metaLeader === null ? '(none)' : clip(s.metaLeader, 40);
    return `${clip(s.name, 40)}  ${clip(s.version, 20)}  meta leader: ${leader}`;
  });
  return more === 0 ? lines : [...lines, moreLine(more)];
}

/** A fenced block within `room` characters, dropping trailing lines to fit; undefined if nothing fits. */
function codeBlock(lines: readonly string[], room: number): string | undefined {
  const safe = lines.map((l) => l.replaceAll('```', "'''"));
  for (let keep = safe.length; keep > 0; keep--) {
    const shown = keep === safe.length ? safe : [...safe.slice(0, keep), andMore(safe.length - keep)];
    const block = '```\n' + shown.join('\n') + '\n```';
    if (block.length <= room) return block;
  }
  return undefined;
}

function nextSteps(remediation: readonly string[]): string[] {
  const { shown, more } = withinLines(remediation, CHATBOT_LIMITS.nextSteps);
  const steps = shown.map((step) =>
    // Code is truncated inside its backticks, so a cut command still closes its span.
    COMMAND.test(step.trimStart()) ? code(step, CHATBOT_LIMITS.nextStep - 2) : prose(step, CHATBOT_LIMITS.nextStep),
  );
  return more === 0 ? steps : [...steps, andMore(more, 'more steps: see the email, or run `nats-audit check`')];
}

function context(n: Notification): Record<string, string> {
  const entries: [string, string][] = [
    ['cluster', n.cluster],
    ['check', n.check],
    ['subject', n.subject],
    ['severity', n.severity],
    ['transition', n.transition],
    ['epoch', n.epoch.id === null ? 'none' : String(n.epoch.id)],
  ];
  return Object.fromEntries(entries.map(([k, v]) => [k, clip(v, CHATBOT_LIMITS.contextValue) || '-']));
}

/** Free text on one line; a fence in it would open a code block that swallows the rest. */
function prose(text: string, max: number): string {
  return truncate(clip(text, max).replaceAll('```', "'''"), max);
}

/** Inline code; backticks inside would end it early. */
function code(text: string, max = 120): string {
  return `\`${clip(text, max).replaceAll('`', "'")}\``;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}
