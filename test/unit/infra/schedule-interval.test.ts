import { describe, expect, it } from 'vitest';
import { heartbeatWindowMinutes, longestGapMinutes } from '../../../lib/infra/schedule-interval.js';

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

describe('heartbeatWindowMinutes', () => {
  it.each([
    ['rate(1 minute)', 5],
    ['rate(2 minutes)', 6],
    ['rate(5 minutes)', 15],
    ['rate(1 hour)', 180],
    ['rate(8 hours)', 1440],
    ['cron(* * * * ? *)', 5],
    ['cron(0/10 * * * ? *)', 30],
  ])('gives %s a window of %i minutes: three runs, at least five minutes', (expression, minutes) => {
    expect(heartbeatWindowMinutes(expression)).toBe(minutes);
  });

  it('refuses a schedule whose three runs exceed the one day an alarm can evaluate', () => {
    expect(() => heartbeatWindowMinutes('rate(9 hours)')).toThrow(
      new RangeError(
        "rate(9 hours) can leave 540 minutes between runs; its missing-heartbeat alarm must span 3 runs within CloudWatch's one-day limit, so runs must be at most 480 minutes apart",
      ),
    );
  });

  it('refuses a schedule it cannot measure', () => {
    expect(() => heartbeatWindowMinutes('cron(0 9 ? * MON-FRI *)')).toThrow(
      new RangeError(
        'cannot tell how often cron(0 9 ? * MON-FRI *) runs, so its missing-heartbeat alarm has no window; use rate(...) or a cron(...) that runs every day with plain minute and hour fields',
      ),
    );
  });
});
