import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/**
 * An alarm when `metric` rises above `threshold` in one period (missing data is fine), described in words
 * an operator can act on, notifying `topic` when given.
 */
export function alarmAbove(
  scope: Construct,
  id: string,
  metric: cloudwatch.IMetric,
  options: { readonly description: string; readonly threshold?: number; readonly topic?: sns.ITopic },
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric,
    alarmDescription: `${scope.node.path}: ${options.description}`,
    threshold: options.threshold ?? 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  if (options.topic) alarm.addAlarmAction(new cwActions.SnsAction(options.topic));
  return alarm;
}
