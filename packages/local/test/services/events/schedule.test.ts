import { describe, expect, it } from 'vitest';
import { parseSchedule, ScheduleExpressionError } from '../../../src/services/events/schedule.js';

/** The next `n` fire times of an expression after `from`. */
function fireTimes(expression: string, from: string, n = 3): string[] {
  const schedule = parseSchedule(expression);
  const times: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < n; i += 1) {
    const next = schedule.next(at);
    if (!next) break;
    times.push(next.toISOString());
    at = next;
  }
  return times;
}

// 2026-12-02 is a Wednesday.
const WEDNESDAY = '2026-12-02T15:57:00.000Z';

describe('rate expressions', () => {
  it.each<[string, string[]]>([
    ['rate(1 minute)', ['2026-12-02T15:58:00.000Z', '2026-12-02T15:59:00.000Z']],
    ['rate(5 minutes)', ['2026-12-02T16:02:00.000Z', '2026-12-02T16:07:00.000Z']],
    ['rate(1 hour)', ['2026-12-02T16:57:00.000Z', '2026-12-02T17:57:00.000Z']],
    ['rate(2 days)', ['2026-12-04T15:57:00.000Z', '2026-12-06T15:57:00.000Z']],
  ])('%s fires every period from the time it starts', (expression, expected) => {
    expect(fireTimes(expression, WEDNESDAY, 2)).toEqual(expected);
  });

  it.each(['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(1 week)', 'rate(five minutes)'])(
    'refuses %s as AWS does',
    (expression) => {
      expect(() => parseSchedule(expression)).toThrow(ScheduleExpressionError);
    },
  );
});

describe('cron expressions (AWS six fields, UTC)', () => {
  it.each<[string, string, string[]]>([
    ['every day at 10:00', 'cron(0 10 * * ? *)', ['2026-12-03T10:00:00.000Z', '2026-12-04T10:00:00.000Z']],
    [
      'every 15 minutes on weekdays (0/15, MON-FRI)',
      'cron(0/15 * ? * MON-FRI *)',
      ['2026-12-02T16:00:00.000Z', '2026-12-02T16:15:00.000Z'],
    ],
    [
      'the first of every month',
      'cron(0 8 1 * ? *)',
      ['2027-01-01T08:00:00.000Z', '2027-02-01T08:00:00.000Z'],
    ],
    [
      'day-of-week 2 is Monday',
      'cron(0 9 ? * 2 *)',
      ['2026-12-07T09:00:00.000Z', '2026-12-14T09:00:00.000Z'],
    ],
    [
      'the first Monday (2#1)',
      'cron(0 9 ? * 2#1 *)',
      ['2026-12-07T09:00:00.000Z', '2027-01-04T09:00:00.000Z'],
    ],
    [
      'the last Friday (6L)',
      'cron(15 10 ? * 6L *)',
      ['2026-12-25T10:15:00.000Z', '2027-01-29T10:15:00.000Z'],
    ],
    [
      'the last day of the month (L)',
      'cron(0 9 L * ? *)',
      ['2026-12-31T09:00:00.000Z', '2027-01-31T09:00:00.000Z'],
    ],
    [
      'the weekday nearest the 15th (15W)',
      'cron(0 9 15W * ? *)',
      ['2026-12-15T09:00:00.000Z', '2027-01-15T09:00:00.000Z'],
    ],
    [
      'only in the years listed',
      'cron(0 0 1 1 ? 2028-2029)',
      ['2028-01-01T00:00:00.000Z', '2029-01-01T00:00:00.000Z'],
    ],
  ])('%s: %s', (_name, expression, expected) => {
    expect(fireTimes(expression, WEDNESDAY, 2)).toEqual(expected);
  });

  it('stops once the years of the expression are over', () => {
    expect(fireTimes('cron(0 0 1 1 ? 2027)', WEDNESDAY, 3)).toEqual(['2027-01-01T00:00:00.000Z']);
  });

  it.each<[string, RegExp]>([
    ['cron(0 10 * * *)', /6 fields/],
    ['cron(0 10 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 10 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 25 * * ? *)', /not valid/],
    ['every day', /rate\(\.\.\.\) or cron\(\.\.\.\)/],
  ])('refuses %s', (expression, message) => {
    expect(() => parseSchedule(expression)).toThrow(message);
  });
});
