import { Cron } from 'croner';

/** A rule's `ScheduleExpression`, parsed: when it fires next after a given time. */
export interface Schedule {
  readonly expression: string;
  /** The first fire time strictly after `after`; undefined when the schedule never fires again. */
  next(after: Date): Date | undefined;
}

/** A `ScheduleExpression` EventBridge would refuse (`ValidationException` of `PutRule`). */
export class ScheduleExpressionError extends Error {
  public override readonly name = 'ScheduleExpressionError';
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * Parses `rate(<n> minute|minutes|hour|hours|day|days)` (the singular for 1, the plural otherwise, as AWS
 * requires) or `cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>)` in UTC, with AWS's
 * rules: one of day-of-month and day-of-week is `?`; day-of-week counts 1 (SUN) to 7 (SAT); `L`, `W`
 * and `#` as AWS documents them.
 */
export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((.*)\)$/.exec(expression.trim());
  if (rate) return rateSchedule(expression, rate[1]?.trim() ?? '');
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (cron) return cronSchedule(expression, cron[1]?.trim() ?? '');
  throw new ScheduleExpressionError(
    `ScheduleExpression ${JSON.stringify(expression)} is not valid: use rate(...) or cron(...)`,
  );
}

function rateSchedule(expression: string, body: string): Schedule {
  const match = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body);
  const value = Number(match?.[1]);
  const unit = match?.[2] ?? '';
  if (!match || value < 1 || (value === 1) !== !unit.endsWith('s')) {
    throw new ScheduleExpressionError(
      `ScheduleExpression ${JSON.stringify(expression)} is not valid: rate(<n> <unit>) needs a positive whole number and "minute", "hour" or "day" for 1, "minutes", "hours" or "days" otherwise`,
    );
  }
  const periodMs = value * UNIT_MS[unit.replace(/s$/, '') as keyof typeof UNIT_MS];
  return {
    expression,
    next: (after) => new Date(after.getTime() + periodMs),
  };
}

/** The largest value of each AWS cron field, for `a/step` (croner wants `a-max/step`). */
const FIELD_MAX = [59, 23, 31, 12, 7, 2199] as const;

function openSteps(field: string, max: number): string {
  return field
    .split(',')
    .map((part) => part.replace(/^(\d+)\/(\d+)$/, `$1-${max}/$2`))
    .join(',');
}

function cronSchedule(expression: string, body: string): Schedule {
  const fields = body.split(/\s+/);
  const fail = (why: string) =>
    new ScheduleExpressionError(`ScheduleExpression ${JSON.stringify(expression)} is not valid: ${why}`);
  if (fields.length !== 6)
    throw fail('cron(...) needs 6 fields: minutes hours day-of-month month day-of-week year');
  const [minutes, hours, dom, month, dow, year] = fields.map((f, i) => openSteps(f, FIELD_MAX[i] ?? 0)) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if ((dom === '?') === (dow === '?')) {
    throw fail('exactly one of day-of-month and day-of-week must be "?"');
  }
  // AWS's `5L` (last Thursday) is croner's `5#L`; a lone `L` in day-of-week is Saturday.
  const weekday = dow === 'L' ? '7' : dow.replace(/^(\w+)L$/, '$1#L');
  let job: Cron;
  try {
    job = new Cron(
      `0 ${minutes} ${hours} ${dom === '?' ? '*' : dom} ${month} ${dow === '?' ? '*' : weekday} ${year}`,
      { timezone: 'UTC', mode: '7-part', alternativeWeekdays: true, domAndDow: true, paused: true },
    );
  } catch (error: unknown) {
    throw fail(error instanceof Error ? error.message : String(error));
  }
  return {
    expression,
    next: (after) => job.nextRun(after) ?? undefined,
  };
}
