import { NO_OBSERVABILITY, physicalName, regional, str, type Provisioner } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';

/**
 * What CDK's `logRetention` synthesizes: accepted, and its function is not run, since there is no log group
 * to set a retention on. Like CDK's handler, it answers `Ref` with the log group's name.
 */
const logRetention: Provisioner = {
  applies: [],
  accepts: {
    '*': `${NO_OBSERVABILITY}: there is no log group to set a retention on, so CDK's log retention function is not run`,
  },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const name = str(p.LogGroupName) ?? `${ctx.stack.stackName}-${logicalId}`;
    return {
      ref: name,
      attributes: { Arn: regional('logs', 'log-group:')(ctx, `${name}:*`), LogGroupName: name },
    };
  },
};

/** A log group: nothing is written to it offline; `Ref` and `LogGroupName` are its name, `Arn` its ARN. */
const logGroup: Provisioner = {
  applies: [],
  accepts: { '*': NO_OBSERVABILITY },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    const name = str(p.LogGroupName) ?? physicalName(ctx.stack.stackName, logicalId, 512);
    return {
      ref: name,
      attributes: { Arn: regional('logs', 'log-group:')(ctx, `${name}:*`), LogGroupName: name },
    };
  },
};

/** A log stream: nothing is written to it offline; `Ref` is its name, as on AWS. */
const logStream: Provisioner = {
  applies: ['LogStreamName'],
  accepts: { LogGroupName: NO_OBSERVABILITY },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    return { ref: str(p.LogStreamName) ?? physicalName(ctx.stack.stackName, logicalId, 512), attributes: {} };
  },
};

/**
 * A metric filter turns log events into CloudWatch metrics; with no CloudWatch offline it has nothing to feed.
 * `Ref` is the filter's name, as on AWS.
 */
const metricFilter: Provisioner = {
  applies: [],
  accepts: { '*': NO_OBSERVABILITY },
  // eslint-disable-next-line @typescript-eslint/require-await
  async create(ctx, logicalId, p) {
    return { ref: str(p.FilterName) ?? physicalName(ctx.stack.stackName, logicalId, 512), attributes: {} };
  },
};

/**
 * CloudWatch Logs: log groups, streams and metric filters are accepted, and so is CDK's `logRetention`;
 * functions log to the terminal.
 */
export const logs: ServiceModule = {
  name: 'logs',
  provisioners: {
    'AWS::Logs::LogGroup': logGroup,
    'AWS::Logs::LogStream': logStream,
    'AWS::Logs::MetricFilter': metricFilter,
    'Custom::LogRetention': logRetention,
  },
};
