import { Duration, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PropsValidator } from '../private/validation.js';
import type { EtlPipelineProps } from './etl-pipeline.js';

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/;
const AT = /^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/;

/** The schedule expression and time zone an {@link EtlPipeline} gives Scheduler. */
export interface ResolvedSchedule {
  readonly expression: string;
  readonly timeZone?: string;
}

/** What is wrong with a Scheduler expression (rate, cron or at), or undefined when it is fine. */
export function scheduleExpressionProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const [, value, unit] = rate;
    const n = Number(value);
    if (n < 1) return `the rate of "${expression}" must be at least 1.`;
    if ((n === 1) !== !(unit ?? '').endsWith('s')) {
      return `"${expression}": Scheduler wants the singular unit for 1 and the plural otherwise (rate(1 day), rate(2 days)).`;
    }
    return undefined;
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const dayOfMonth = cron[3];
    const dayOfWeek = cron[5];
    if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
      return `"${expression}": a cron expression needs "?" in exactly one of day-of-month and day-of-week (cron(0 2 * * ? *)).`;
    }
    return undefined;
  }
  if (AT.test(expression)) return undefined;
  return `schedule "${expression}" is not a Scheduler expression: use rate(<n> <unit>), cron(<min> <hour> <day-of-month> <month> <day-of-week> <year>) or at(<yyyy-mm-ddThh:mm:ss>).`;
}

function knownTimeZone(name: string): boolean {
  return name === 'UTC' || Intl.supportedValuesOf('timeZone').includes(name);
}

/** Validates every prop (all problems at once) and returns the schedule to create. */
export function validateEtlPipeline(scope: Construct, props: EtlPipelineProps): ResolvedSchedule {
  const v = new PropsValidator('EtlPipeline', scope);
  if (!Token.isUnresolved(props.pipelineName)) {
    v.require(
      NAME.test(props.pipelineName),
      `pipelineName "${props.pipelineName}" must be a lower-case letter, then up to 39 lower-case letters, digits or "-" (it names the watermark and the pipeline's folders).`,
    );
  }
  const given = props.schedule;
  const expression = typeof given === 'string' ? given : given.expressionString;
  const ownZone = typeof given === 'string' ? undefined : given.timeZone?.timezoneName;
  if (!Token.isUnresolved(expression)) {
    const problem = scheduleExpressionProblem(expression);
    v.require(problem === undefined, problem ?? '');
  }
  v.require(
    ownZone === undefined || props.timeZone === undefined,
    `the ScheduleExpression carries its own time zone (${ownZone ?? ''}) and timeZone is set too: keep one.`,
  );
  if (props.timeZone !== undefined && !Token.isUnresolved(props.timeZone)) {
    v.require(
      knownTimeZone(props.timeZone),
      `timeZone "${props.timeZone}" is not an IANA time zone (e.g. "Europe/London", "UTC").`,
    );
    v.require(
      !expression.startsWith('rate('),
      `timeZone applies to cron and at expressions; a rate runs every interval from its start in any zone: drop timeZone.`,
    );
  }
  v.durationInRange('flexibleWindow', props.flexibleWindow, Duration.minutes(1), Duration.minutes(1440));
  if (props.flexibleWindow && !props.flexibleWindow.isUnresolved()) {
    const minutes = props.flexibleWindow.toSeconds() / 60;
    v.require(
      Number.isInteger(minutes),
      `flexibleWindow must be whole minutes; received ${props.flexibleWindow.toHumanString()}.`,
    );
  }
  v.integerInRange('retryAttempts', props.retryAttempts, 0, 185);
  v.durationInRange('maxEventAge', props.maxEventAge, Duration.seconds(60), Duration.hours(24));
  v.durationInRange('settle', props.settle, Duration.seconds(0), Duration.hours(24));
  v.durationInRange('timeout', props.timeout, Duration.minutes(1), Duration.hours(24));
  v.throwIfInvalid();
  return { expression, timeZone: ownZone ?? props.timeZone };
}
