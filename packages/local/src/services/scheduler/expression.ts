import { parseSchedule, ScheduleExpressionError } from '../events/schedule.js';

/** When a schedule invokes its target: its expression read in its time zone, between its start and end dates. */
export interface ScheduleTimes {
  readonly expression: string;
  readonly kind: 'rate' | 'cron' | 'at';
  /** The IANA time zone `cron` and `at` are read in. */
  readonly timezone: string;
  /**
   * The first invocation at or after `from`, the schedule's creation. A rate schedule with no start date is
   * anchored there: it invokes at once, as on AWS, then every period.
   */
  first(from: Date): Date | undefined;
  /** The next invocation strictly after `after`; undefined when there is none. */
  next(after: Date): Date | undefined;
}

/** The dates that bound a recurring schedule: `StartDate` inclusive, `EndDate` exclusive (both ignored by `at`). */
export interface ScheduleBounds {
  readonly timezone?: string;
  readonly startDate?: Date;
  readonly endDate?: Date;
}

/** A `ScheduleExpressionTimezone` that is no IANA time zone. */
export class ScheduleTimezoneError extends Error {
  public override readonly name = 'ScheduleTimezoneError';
}

export { ScheduleExpressionError };

const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const DAY_MS = 86_400_000;

/**
 * Parses a Scheduler `ScheduleExpression`: `rate(...)` and `cron(...)` as EventBridge reads them (the events
 * service's parser), or `at(yyyy-mm-ddThh:mm:ss)`. `cron` and `at` are wall-clock times of `timezone`
 * (default UTC), with AWS's daylight saving rules: a time the clocks skip in spring does not fire, a time
 * they repeat in autumn fires once, at its first occurrence. A rate counts elapsed time (a day is 24 hours).
 */
export function scheduleTimes(expression: string, bounds: ScheduleBounds = {}): ScheduleTimes {
  const timezone = bounds.timezone ?? 'UTC';
  checkTimezone(timezone);
  const text = expression.trim();
  const at = AT.exec(text);
  if (at) return atTimes(expression, timezone, at);
  if (text.startsWith('at(')) {
    throw new ScheduleExpressionError(
      `ScheduleExpression ${JSON.stringify(expression)} is not valid: at(...) takes a local date and time, yyyy-mm-ddThh:mm:ss`,
    );
  }
  let utc;
  try {
    utc = parseSchedule(text);
  } catch (error: unknown) {
    if (!(error instanceof ScheduleExpressionError)) throw error;
    throw new ScheduleExpressionError(
      error.message.replace('rate(...) or cron(...)', 'rate(...), cron(...) or at(...)'),
    );
  }
  const kind = text.startsWith('rate(') ? 'rate' : 'cron';
  const { startDate, endDate } = bounds;
  const within = (t: Date | undefined) =>
    t !== undefined && (endDate === undefined || t.getTime() < endDate.getTime()) ? t : undefined;
  if (kind === 'rate') {
    const periodMs = (utc.next(new Date(0)) as Date).getTime();
    let anchor = startDate?.getTime();
    const from = (t: number) => {
      const base = anchor ?? t;
      const k = Math.max(0, Math.ceil((t - base) / periodMs));
      return within(new Date(base + k * periodMs));
    };
    return {
      expression,
      kind,
      timezone,
      first(start) {
        anchor ??= start.getTime();
        return from(start.getTime());
      },
      next(after) {
        anchor ??= after.getTime();
        return from(after.getTime() + 1);
      },
    };
  }
  const next = (after: Date): Date | undefined => {
    const floor =
      startDate && startDate.getTime() > after.getTime() ? new Date(startDate.getTime() - 1) : after;
    return within(nextWallTime(floor, timezone, (wall) => utc.next(wall)));
  };
  return {
    expression,
    kind,
    timezone,
    first: (from) => next(new Date(from.getTime() - 1)),
    next,
  };
}

/** Refuses a time zone that is no IANA zone (`Intl` knows every one the runtime's ICU does). */
export function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ScheduleTimezoneError(
      `ScheduleExpressionTimezone ${JSON.stringify(timezone)} is not an IANA time zone (e.g. UTC, Europe/London)`,
    );
  }
}

function atTimes(expression: string, timezone: string, match: RegExpExecArray): ScheduleTimes {
  const [y, mo, d, h, mi, s] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(wall);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new ScheduleExpressionError(
      `ScheduleExpression ${JSON.stringify(expression)} is not a valid date and time`,
    );
  }
  // A time in a spring-forward gap reads with the offset before the gap: it fires as the clocks jump past it.
  const instant = new Date(instantsOf(wall, timezone)[0] ?? wall - offsetAt(wall - DAY_MS, timezone));
  const once = (after: Date) => (instant.getTime() > after.getTime() ? instant : undefined);
  return {
    expression,
    kind: 'at',
    timezone,
    first: (from) => once(new Date(from.getTime() - 1)),
    next: once,
  };
}

/**
 * The first instant after `after` whose wall-clock time in `timezone` is the next one `nextWall` gives: wall
 * times that do not exist are skipped, a wall time that exists twice counts at its first instant only.
 */
function nextWallTime(
  after: Date,
  timezone: string,
  nextWall: (wall: Date) => Date | undefined,
): Date | undefined {
  let wall = wallClock(after.getTime(), timezone);
  for (let i = 0; i < 10_000; i += 1) {
    const candidate = nextWall(new Date(wall));
    if (!candidate) return undefined;
    wall = candidate.getTime();
    const first = instantsOf(wall, timezone)[0];
    if (first !== undefined && first > after.getTime()) return new Date(first);
  }
  return undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time of an instant in a time zone, as the epoch milliseconds of that time read in UTC. */
export function wallClock(instant: number, timezone: string): number {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, format);
  }
  const part = Object.fromEntries(
    format.formatToParts(new Date(instant)).map((p) => [p.type, Number(p.value)]),
  );
  const ms = ((instant % 1000) + 1000) % 1000;
  return Date.UTC(part.year ?? 0, (part.month ?? 1) - 1, part.day, part.hour, part.minute, part.second) + ms;
}

function offsetAt(instant: number, timezone: string): number {
  return wallClock(instant, timezone) - instant;
}

/** Every instant whose wall-clock time in `timezone` is `wall`, earliest first: none in a gap, two in an overlap. */
function instantsOf(wall: number, timezone: string): number[] {
  const offsets = new Set([
    offsetAt(wall - DAY_MS, timezone),
    offsetAt(wall, timezone),
    offsetAt(wall + DAY_MS, timezone),
  ]);
  const found = [...offsets].map((o) => wall - o).filter((t) => wallClock(t, timezone) === wall);
  return [...new Set(found)].sort((a, b) => a - b);
}

/** `2022-03-22T18:59:43Z`: Scheduler's `<aws.scheduler.scheduled-time>`, to the second. */
export function scheduledTimeText(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}
