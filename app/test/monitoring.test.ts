import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConfluxApp, type ConfluxStacks } from '../app';
import { cdkJsonContext } from '../../test/support/cdk';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

describe('MonitoringStack', () => {
  let stacks: ConfluxStacks;
  let template: Template;
  let alarms: Resources;
  let body: string;
  beforeAll(() => {
    process.env.CDK_VALIDATION = 'false';
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    stacks = buildConfluxApp(app);
    template = Template.fromStack(stacks.monitoring);
    alarms = template.findResources('AWS::CloudWatch::Alarm') as Resources;
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard', {
      Properties: { DashboardName: 'conflux-dev' },
    }) as Resources;
    body = JSON.stringify(Object.values(dashboards)[0]?.Properties.DashboardBody ?? '');
  });

  it('is its own stack, named after the stage', () => {
    // THEN
    expect(stacks.monitoring.stackName).toBe('conflux-dev-monitoring');
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 2);
  });

  it('draws a section for each flow on the dashboard', () => {
    // THEN
    for (const flow of [
      'API edge',
      'Orders: place-order saga',
      'Orders: cancellation',
      'Webhooks',
      'Telemetry',
      'Customers: change data capture',
      'Messaging: domain-events and ledger',
    ]) {
      expect(body).toContain(`# ${flow}`);
    }
    for (const widget of [
      'Authorizer denials',
      'Saga compensations',
      'Compensation DLQ',
      'PlaceOrder saga',
      'ReplicationLatency',
      'Authorizer denials (401/403) and throttles (429)',
    ]) {
      expect(body).toContain(widget);
    }
  });

  it('routes every alarm to the alarm topic of the messaging stack', () => {
    // THEN
    expect(Object.keys(alarms).length).toBeGreaterThan(10);
    for (const alarm of Object.values(alarms)) {
      const actions = alarm.Properties.AlarmActions as unknown[];
      expect(actions).toHaveLength(1);
      expect(actions[0]).toEqual({
        'Fn::GetStackOutput': expect.objectContaining({
          StackName: 'conflux-dev-messaging',
          OutputName: expect.stringMatching(/AlarmTopic/) as unknown,
        }) as unknown,
      });
    }
  });

  it('alarms on DLQ depth, iterator age, saga failures and compensations left incomplete', () => {
    // THEN
    const byMetric = (metricName: string) =>
      Object.values(alarms).filter((a) => JSON.stringify(a.Properties).includes(`"${metricName}"`));
    expect(byMetric('ApproximateNumberOfMessagesVisible').length).toBeGreaterThanOrEqual(6);
    expect(byMetric('IteratorAge').length).toBeGreaterThanOrEqual(3);
    expect(byMetric('GetRecords.IteratorAgeMilliseconds').length).toBe(2);
    expect(byMetric('ExecutionsFailed')).toHaveLength(1);
    expect(byMetric('SagaCompensationsIncomplete')).toHaveLength(1);
  });

  it('counts authorizer denials and saga compensations from the logs', () => {
    // THEN
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.status = "401" || $.status = "403" }',
      MetricTransformations: [
        Match.objectLike({ MetricName: 'AuthorizerDenials', MetricNamespace: 'Conflux/dev' }),
      ],
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.type = "ExecutionFailed" && $.details.error = "SagaCompensated" }',
      MetricTransformations: [Match.objectLike({ MetricName: 'SagaCompensations' })],
    });
  });
});
