import { describe, expect, it } from 'vitest';
import {
  scheduledTimeText,
  scheduleTimes,
  type ScheduleTimes,
} from '../../../src/services/scheduler/expression.js';

/** The next `count` invocations strictly after `after`. */
function runs(times: ScheduleTimes, after: string, count: number): string[] {
  const out: string[] = [];
  let at: Date | undefined = new Date(after);
  for (let i = 0; i < count && at; i += 1) {
    at = times.next(at);
    if (at) out.push(at.toISOString());
  }
  return out;
}

describe('Scheduler schedule expressions', () => {
  it('read cron in the schedule’s time zone: 02:00 in London is 02:00Z in winter and 01:00Z in summer', () => {
    // GIVEN a nightly cron in Europe/London
    const nightly = scheduleTimes('cron(0 2 * * ? *)', { timezone: 'Europe/London' });

    // WHEN its first run is asked in December and in July
    const winter = nightly.first(new Date('2026-12-03T05:00:00Z'));
    const summer = nightly.first(new Date('2026-07-01T05:00:00Z'));

    // THEN each is 02:00 on the London wall clock
    expect(winter?.toISOString()).toBe('2026-12-04T02:00:00.000Z');
    expect(summer?.toISOString()).toBe('2026-07-02T01:00:00.000Z');
  });

  it('skip a time the clocks jump over in spring, as AWS does', () => {
    // GIVEN 01:30 London time every day; on 2027-03-28 the clocks go from 01:00 to 02:00
    const times = scheduleTimes('cron(30 1 * * ? *)', { timezone: 'Europe/London' });

    // WHEN the runs around that night are listed
    const listed = runs(times, '2027-03-26T12:00:00Z', 3);

    // THEN the 28th has none
    expect(listed).toEqual([
      '2027-03-27T01:30:00.000Z',
      '2027-03-29T00:30:00.000Z',
      '2027-03-30T00:30:00.000Z',
    ]);
  });

  it('run a time the clocks repeat in autumn once, at its first occurrence', () => {
    // GIVEN every 20 minutes of 01:xx London time; on 2026-10-25 01:00–02:00 happens twice
    const times = scheduleTimes('cron(0/20 1 * * ? *)', { timezone: 'Europe/London' });

    // WHEN the runs from 01:00 BST (00:00Z) are listed
    const listed = runs(times, '2026-10-25T00:00:00Z', 3);

    // THEN 01:20 and 01:40 run once each (in BST), and the repeated hour does not run again
    expect(listed).toEqual([
      '2026-10-25T00:20:00.000Z',
      '2026-10-25T00:40:00.000Z',
      '2026-10-26T01:00:00.000Z',
    ]);
  });

  it('start a rate schedule with no start date at once, then every period', () => {
    // GIVEN rate(5 minutes) with no StartDate
    const times = scheduleTimes('rate(5 minutes)');

    // WHEN it is created at 05:00:07
    const created = new Date('2026-12-03T05:00:07Z');
    const first = times.first(created);

    // THEN it invokes then, and every 5 minutes from then
    expect(first?.toISOString()).toBe('2026-12-03T05:00:07.000Z');
    expect(runs(times, first?.toISOString() ?? '', 2)).toEqual([
      '2026-12-03T05:05:07.000Z',
      '2026-12-03T05:10:07.000Z',
    ]);
  });

  it('anchor a rate at its StartDate and stop before its EndDate', () => {
    // GIVEN an hourly rate from 04:30 until 07:30
    const times = scheduleTimes('rate(1 hour)', {
      startDate: new Date('2026-12-03T04:30:00Z'),
      endDate: new Date('2026-12-03T07:30:00Z'),
    });

    // WHEN it is created at 05:00
    const first = times.first(new Date('2026-12-03T05:00:00Z'));

    // THEN it runs on the half hours and not at 07:30
    expect(first?.toISOString()).toBe('2026-12-03T05:30:00.000Z');
    expect(runs(times, '2026-12-03T05:30:00Z', 3)).toEqual(['2026-12-03T06:30:00.000Z']);
  });

  it('do not run cron before its StartDate', () => {
    // GIVEN an every-minute cron that starts at 06:00
    const times = scheduleTimes('cron(* * * * ? *)', { startDate: new Date('2026-12-03T06:00:00Z') });

    // WHEN it is created at 05:00
    const first = times.first(new Date('2026-12-03T05:00:00Z'));

    // THEN its first run is the start date
    expect(first?.toISOString()).toBe('2026-12-03T06:00:00.000Z');
  });

  it('run at() once, at the local time of its time zone, and never when it is past', () => {
    // GIVEN a one-time schedule at 10:00 New York time
    const once = scheduleTimes('at(2026-12-03T10:00:00)', { timezone: 'America/New_York' });

    // THEN it runs at 15:00Z, once, and not for a runtime started after it
    expect(once.first(new Date('2026-12-03T05:00:00Z'))?.toISOString()).toBe('2026-12-03T15:00:00.000Z');
    expect(once.next(new Date('2026-12-03T15:00:00Z'))).toBeUndefined();
    expect(once.first(new Date('2026-12-03T15:00:01Z'))).toBeUndefined();
  });

  it('refuse what Scheduler refuses, naming the expression or the time zone', () => {
    // THEN each bad expression is refused with the reason
    expect(() => scheduleTimes('at(2026-13-03T10:00:00)')).toThrow(/not a valid date and time/);
    expect(() => scheduleTimes('at(2026-12-03 10:00)')).toThrow(/yyyy-mm-ddThh:mm:ss/);
    expect(() => scheduleTimes('rate(0 minutes)')).toThrow(/positive whole number/);
    expect(() => scheduleTimes('every day')).toThrow(/rate\(\.\.\.\), cron\(\.\.\.\) or at\(\.\.\.\)/);
    expect(() => scheduleTimes('cron(0 2 * * * *)')).toThrow(/exactly one of day-of-month and day-of-week/);
    expect(() => scheduleTimes('rate(1 day)', { timezone: 'Mars/Base' })).toThrow(
      /ScheduleExpressionTimezone "Mars\/Base" is not an IANA time zone/,
    );
  });

  it('write the scheduled time to the second, as Scheduler’s context attribute', () => {
    // THEN milliseconds are dropped
    expect(scheduledTimeText(new Date('2026-12-03T02:00:00.789Z'))).toBe('2026-12-03T02:00:00Z');
  });
});
