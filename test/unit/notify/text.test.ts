import { describe, expect, it } from 'vitest';
import { capLines, cleanText, clip, formatDuration, toAscii, truncate } from '../../../lib/notify/text.js';

describe('notification text hygiene', () => {
  it('cleanText keeps tabs and newlines, folds CRLF, and replaces controls, lone surrogates and URL credentials', () => {
    expect(cleanText('a\r\nb\tc\u0000d\u001be\u0085f\ud800g')).toBe('a\nb\tc d e f\ufffdg');
    expect(cleanText('see nats://sys:p@ss@n1:4222 and tls://token@n2')).toBe('see nats://***@n1:4222 and tls://***@n2');
  });

  it('truncate never splits a surrogate pair and marks the cut', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab🚀cd', 4)).toBe('ab…');
    expect(truncate('abcdef', 5, '...')).toBe('ab...');
  });

  it('clip cleans and cuts a huge string to one line', () => {
    expect(clip(`x\n${'y'.repeat(1_000_000)}`, 5)).toBe('x yy…');
  });

  it('toAscii drops accents and replaces the rest', () => {
    expect(toAscii('prod-östra 🚀 Ñ\nx')).toBe('prod-ostra ? N x');
  });

  it('capLines says how many lines were left out', () => {
    expect(capLines(['a', 'b', 'c'], 3)).toEqual(['a', 'b', 'c']);
    expect(capLines(['a', 'b', 'c', 'd'], 3, '  ')).toEqual(['a', 'b', '  … and 2 more']);
  });

  it('formatDuration reads coarsely', () => {
    expect([45_000, 5 * 60_000, 3 * 3_600_000, 3 * 3_600_000 + 5 * 60_000, 3 * 86_400_000].map(formatDuration)).toEqual([
      '45 s',
      '5 min',
      '3 h',
      '3 h 5 min',
      '3 d 0 h',
    ]);
  });
});
