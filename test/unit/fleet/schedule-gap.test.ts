import { describe, expect, it } from 'vitest';
import { longestGapMinutes } from '../../../lib/fleet/schedule-gap.js';
import { staleWindowMinutes } from '../../../lib/fleet/stale-window.js';

describe('longestGapMinutes', () => {
  it.each([
    ['rate(1 minute)', 1],
    ['rate(5 minutes)', 5],
    ['rate(1 hour)', 60],
    ['rate(2 hours)', 120],
    ['rate( 10  minutes )', 10],
  ])('reads %s as %i minutes', (expression, minutes) => {
    expect(longestGapMinutes(expression)).toBe(minutes);
  });

  it.each([
    ['cron(* * * * ? *)', 1],
    ['cron(0/5 * * * ? *)', 5],
    ['cron(*/10 * * * ? *)', 10],
    ['cron(0 * * * ? *)', 60],
    ['cron(0,45 * * * ? *)', 45],
    ['cron(0 */6 * * ? *)', 360],
    // Every 30 minutes from 09:00 to 17:30: the longest gap is the night, 17:30 to 09:00.
    ['cron(0,30 9-17 * * ? *)', 930],
    ['cron(15 3 ? * * *)', 1440],
  ])('reads %s as at most %i minutes between runs', (expression, minutes) => {
    expect(longestGapMinutes(expression)).toBe(minutes);
  });

  it.each(['cron(0 9 ? * MON-FRI *)', 'cron(0 9 1 * ? *)', 'cron(0 9 * JAN ? *)', 'cron(0 9 * * ? 2027)', 'cron(0 L * * ? *)', 'cron(0 9 * * ?)', 'at(2027-01-01T00:00:00)', 'rate(0.5 minutes)'])(
    'cannot tell the gap of %s',
    (expression) => {
      expect(longestGapMinutes(expression)).toBeUndefined();
    },
  );
});

describe('staleWindowMinutes', () => {
  it.each([
    ['rate(1 minute)', 3],
    ['cron(* * * * ? *)', 3],
    ['rate(5 minutes)', 11],
    ['rate(1 hour)', 121],
  ])('calls a cluster scheduled %s stale %i minutes after its last run', (expression, minutes) => {
    expect(staleWindowMinutes(expression)).toBe(minutes);
  });

  it('refuses a schedule whose interval needs a calendar, naming it', () => {
    expect(() => staleWindowMinutes('cron(0 9 ? * MON-FRI *)')).toThrow(
      'cannot tell how often cron(0 9 ? * MON-FRI *) runs, so the watchdog cannot tell when its runs stopped; use rate(...) or a cron(...) that runs every day with plain minute and hour fields',
    );
  });
});
