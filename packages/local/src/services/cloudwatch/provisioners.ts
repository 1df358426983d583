import { accepted, NO_OBSERVABILITY, regional, type ProvisionContext } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';

/** Dashboards are global: their ARN has no Region. */
const dashboardArn = (ctx: ProvisionContext, name: string) =>
  `arn:${ctx.env.partition}:cloudwatch::${ctx.env.accountId}:dashboard/${name}`;

/**
 * CloudWatch: alarms and dashboards are accepted; there are no metrics offline to draw or to raise them.
 */
export const cloudwatch: ServiceModule = {
  name: 'cloudwatch',
  provisioners: {
    'AWS::CloudWatch::Alarm': accepted(NO_OBSERVABILITY, regional('cloudwatch', 'alarm:')),
    'AWS::CloudWatch::Dashboard': accepted(NO_OBSERVABILITY, dashboardArn),
  },
};
