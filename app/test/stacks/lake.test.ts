import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { CURRENT_CUSTOMERS, DAILY_DEVICE_AGGREGATES } from '../../functions/lake/contract';
import { ApiStack } from '../../stacks/api-stack';
import { MessagingStack } from '../../stacks/messaging-stack';
import { cdkJsonContext } from '../../../test/support/cdk';

describe('the lake in ApiStack', () => {
  let template: Template;
  const synth = (context: Record<string, unknown> = {}) => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const config = loadConfig((key) => context[key]);
    const messaging = new MessagingStack(app, 'Messaging', { config });
    return Template.fromStack(new ApiStack(app, 'Api', { config, domainEvents: messaging.domainEvents }));
  };
  beforeAll(() => {
    template = synth();
  });

  it('delivers telemetry and customer changes from their streams into raw/<source>/, buffered 60 s in dev', () => {
    // THEN two Kinesis-sourced delivery streams write gzip under the layout's prefixes
    for (const source of ['telemetry', 'customer_changes']) {
      template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
        DeliveryStreamType: 'KinesisStreamAsSource',
        ExtendedS3DestinationConfiguration: Match.objectLike({
          Prefix: `raw/${source}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`,
          ErrorOutputPrefix: `errors/${source}/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`,
          CompressionFormat: 'GZIP',
          BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
        }),
      });
    }
  });

  it('buffers AWS’s 300 s on another stage, and what conflux:lakeBufferSeconds says', () => {
    // GIVEN a prod synth and a dev synth with 0 s
    const prod = synth({ 'conflux:stage': 'prod' });
    const quick = synth({ 'conflux:lakeBufferSeconds': '0' });
    // THEN their delivery streams buffer accordingly
    const intervals = (t: Template) =>
      Object.values(t.findResources('AWS::KinesisFirehose::DeliveryStream')).map(
        (r) =>
          (
            r as {
              Properties: {
                ExtendedS3DestinationConfiguration: { BufferingHints: { IntervalInSeconds: number } };
              };
            }
          ).Properties.ExtendedS3DestinationConfiguration.BufferingHints.IntervalInSeconds,
      );
    expect(intervals(prod)).toEqual([300, 300]);
    expect(intervals(quick)).toEqual([0, 0]);
  });

  it('catalogues the stage’s lake database with the three tables, lower-case columns', () => {
    template.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: Match.objectLike({ Name: 'conflux_dev_lake' }),
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'telemetry',
        PartitionKeys: [Match.objectLike({ Name: 'dt' }), Match.objectLike({ Name: 'hour' })],
        StorageDescriptor: Match.objectLike({
          Columns: [
            { Name: 'deviceid', Type: 'string' },
            { Name: 'metric', Type: 'string' },
            { Name: 'value', Type: 'double' },
            { Name: 'recordedat', Type: 'string' },
          ],
        }),
      }),
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'customer_changes',
        StorageDescriptor: Match.objectLike({
          Columns: Match.arrayWith([
            Match.objectLike({ Name: 'after', Type: Match.stringLikeRegexp('^struct<customerid:string,') }),
            Match.objectLike({ Name: 'op', Type: 'string' }),
          ]),
        }),
      }),
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'customers_curated',
        PartitionKeys: [Match.objectLike({ Name: 'dt' })],
      }),
    });
  });

  it('names the two queries in the lake’s workgroup', () => {
    for (const query of [DAILY_DEVICE_AGGREGATES, CURRENT_CUSTOMERS]) {
      template.hasResourceProperties('AWS::Athena::NamedQuery', {
        Name: query.name,
        Database: 'conflux_dev_lake',
        QueryString: query.sql,
      });
    }
  });

  it('runs customers-nightly at 02:00 London time within 15 minutes, its extract allowed only to scan the table', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
    });
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('LakeCustomersNightlyExtract'),
    );
    const statements = JSON.stringify(policies.map(([, p]) => p));
    expect(statements).toContain('"dynamodb:Scan"');
    expect(statements).not.toMatch(/dynamodb:(Query|GetItem|PutItem|BatchGetItem)/);
  });
});
