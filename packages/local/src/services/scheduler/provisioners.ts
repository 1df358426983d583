import {
  NOT_ENFORCED,
  physicalName,
  staticText,
  str,
  TAGS,
  UNRESOLVED,
  UnsupportedResourceError,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { checkTimezone, scheduleTimes } from './expression.js';
import { SchedulerService } from './service.js';
import { targetOf, targetProblems, type TargetProps } from './target-props.js';

const scheduleGroup: Provisioner = {
  applies: ['Name'],
  accepts: { Tags: TAGS },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const name = str(p.Name) ?? physicalName(ctx.stack.stackName, logicalId, 64);
    if (name === 'default') {
      throw new UnsupportedResourceError(
        `${ctx.stack.stackName}/${logicalId} (AWS::Scheduler::ScheduleGroup): the default group always exists`,
      );
    }
    const arn = ctx.service(SchedulerService).addGroup(name);
    const now = new Date().toISOString();
    return {
      ref: name,
      attributes: { Arn: arn, CreationDate: now, LastModificationDate: now, State: 'ACTIVE' },
    };
  },
};

const schedule: Provisioner = {
  applies: [
    'Name',
    'GroupName',
    'ScheduleExpression',
    'ScheduleExpressionTimezone',
    'StartDate',
    'EndDate',
    'State',
    'FlexibleTimeWindow',
    'Target',
    'ActionAfterCompletion',
  ],
  accepts: {
    Description: 'descriptive only',
    KmsKeyArn: `${NOT_ENFORCED}; the target input is kept in the runtime's memory`,
  },
  check(ctx, p) {
    const problems: string[] = [];
    const at = (what: string) => `${ctx.where}: ${what}`;
    const expression = staticText(p.ScheduleExpression);
    const timezone = staticText(p.ScheduleExpressionTimezone);
    if (p.ScheduleExpression === undefined) problems.push(at('ScheduleExpression is required'));
    if (timezone !== undefined && !timezone.includes(UNRESOLVED)) {
      try {
        checkTimezone(timezone);
      } catch (error: unknown) {
        problems.push(at(message(error)));
      }
    }
    if (expression !== undefined && !expression.includes(UNRESOLVED)) {
      try {
        scheduleTimes(expression);
      } catch (error: unknown) {
        problems.push(at(message(error)));
      }
    }
    for (const key of ['StartDate', 'EndDate'] as const) {
      const text = staticText(p[key]);
      if (text !== undefined && !text.includes(UNRESOLVED) && Number.isNaN(Date.parse(text))) {
        problems.push(at(`${key} ${JSON.stringify(text)} is not an ISO 8601 date and time`));
      }
    }
    const start = Date.parse(staticText(p.StartDate) ?? '');
    const end = Date.parse(staticText(p.EndDate) ?? '');
    if (end <= start) problems.push(at('EndDate must be after StartDate'));
    const state = staticText(p.State);
    if (state !== undefined && state !== 'ENABLED' && state !== 'DISABLED') {
      problems.push(at(`State ${state} must be ENABLED or DISABLED`));
    }
    const after = staticText(p.ActionAfterCompletion);
    if (after !== undefined && after !== 'NONE' && after !== 'DELETE') {
      problems.push(at(`ActionAfterCompletion ${after} must be NONE or DELETE`));
    }
    problems.push(...windowProblems(at, p.FlexibleTimeWindow));
    if (p.Target === undefined) problems.push(at('Target is required'));
    else problems.push(...targetProblems(ctx, at('Target'), p.Target as TargetProps));
    return problems;
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (AWS::Scheduler::Schedule)`;
    const service = ctx.service(SchedulerService);
    const groupName = str(p.GroupName) ?? 'default';
    if (!service.hasGroup(groupName)) {
      throw new UnsupportedResourceError(
        `${where}: GroupName ${groupName} names no schedule group of the application`,
      );
    }
    const name = str(p.Name) ?? physicalName(ctx.stack.stackName, logicalId, 64);
    const date = (value: unknown) => (value === undefined ? undefined : new Date(str(value) ?? ''));
    const startDate = date(p.StartDate);
    const endDate = date(p.EndDate);
    let times;
    try {
      times = scheduleTimes(str(p.ScheduleExpression) ?? '', {
        timezone: str(p.ScheduleExpressionTimezone),
        startDate,
        endDate,
      });
    } catch (error: unknown) {
      throw new UnsupportedResourceError(`${where}: ${message(error)}`);
    }
    const window = (p.FlexibleTimeWindow ?? {}) as { Mode?: unknown; MaximumWindowInMinutes?: unknown };
    const arn = service.scheduleArn(groupName, name);
    service.addSchedule({
      name,
      groupName,
      arn,
      enabled: str(p.State) !== 'DISABLED',
      times,
      flexibleWindowMinutes:
        str(window.Mode) === 'FLEXIBLE' ? Number(window.MaximumWindowInMinutes) : undefined,
      startDate,
      endDate,
      deleteAfterCompletion: str(p.ActionAfterCompletion) === 'DELETE',
      target: targetOf(p.Target as TargetProps, `${where}: Target`),
    });
    return { ref: name, attributes: { Arn: arn } };
  },
};

function windowProblems(at: (what: string) => string, value: unknown): string[] {
  if (value === undefined)
    return [at('FlexibleTimeWindow is required: {"Mode": "OFF"} or FLEXIBLE with a window')];
  const window = value as { Mode?: unknown; MaximumWindowInMinutes?: unknown };
  const mode = staticText(window.Mode);
  const minutes = window.MaximumWindowInMinutes;
  if (mode === 'OFF') {
    return minutes === undefined
      ? []
      : [at('FlexibleTimeWindow.MaximumWindowInMinutes is only allowed with Mode FLEXIBLE')];
  }
  if (mode !== 'FLEXIBLE') return [at(`FlexibleTimeWindow.Mode ${String(mode)} must be OFF or FLEXIBLE`)];
  if (typeof minutes === 'number' && Number.isInteger(minutes) && minutes >= 1 && minutes <= 1440) return [];
  return [
    at(
      `FlexibleTimeWindow.MaximumWindowInMinutes ${String(minutes)} must be a whole number of minutes from 1 to 1440 with Mode FLEXIBLE`,
    ),
  ];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** EventBridge Scheduler: schedule groups and schedules with templated targets. */
export const scheduler: ServiceModule = {
  name: 'scheduler',
  state: SchedulerService,
  provisioners: {
    'AWS::Scheduler::ScheduleGroup': scheduleGroup,
    'AWS::Scheduler::Schedule': schedule,
  },
};
