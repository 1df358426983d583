import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  EventStore,
  MRSC_REGION_SETS,
  Projection,
  mrscRegionSetOf,
  replicatedTable,
  replicationProps,
  type TableReplication,
} from '../src/index.js';
import { cdkJsonContext, fixtureHandler, testStack } from '../../../test/support/cdk.js';

/** A stack in `region` (eu-west-1 by default), or an environment-agnostic one for `region: null`. */
function stackIn(region: string | null = 'eu-west-1'): Stack {
  if (region === 'eu-west-1') return testStack();
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Test', region === null ? {} : { env: { account: '111111111111', region } });
}

const tableProps: dynamodb.TablePropsV2 = {
  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
};

function table(
  replication: TableReplication | undefined,
  options: { stack?: Stack; props?: Partial<dynamodb.TablePropsV2>; alarmTopic?: sns.ITopic } = {},
) {
  const stack = options.stack ?? stackIn();
  const created = replicatedTable(
    stack,
    'Table',
    { ...tableProps, ...options.props },
    { replication, alarmTopic: options.alarmTopic },
  );
  return { stack, table: created };
}

/** The replicas of the only GlobalTable of `template`. */
function replicasOf(template: Template): { Region: string; PointInTimeRecoverySpecification?: unknown }[] {
  const [only] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as {
    Properties: { Replicas: { Region: string }[] };
  }[];
  return only?.Properties.Replicas ?? [];
}

const eventual = (replicaRegions: string[], extra: Partial<TableReplication> = {}): TableReplication => ({
  mode: 'eventual',
  replicaRegions,
  ...extra,
});
const strong = (replicaRegions: string[], extra: Partial<TableReplication> = {}): TableReplication => ({
  mode: 'strong',
  replicaRegions,
  ...extra,
});

describe('replicatedTable', () => {
  it('renders eventual replicas into the GlobalTable, each keeping PITR', () => {
    // GIVEN / WHEN
    const { stack } = table(eventual(['eu-west-2', 'us-east-1']));
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      MultiRegionConsistency: 'EVENTUAL',
      GlobalTableWitnesses: Match.absent(),
    });
    const replicas = replicasOf(template);
    expect(replicas.map((r) => r.Region).sort()).toEqual(['eu-west-1', 'eu-west-2', 'us-east-1']);
    for (const replica of replicas)
      expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('renders strong consistency with three replicas', () => {
    const { stack } = table(strong(['eu-west-2', 'eu-west-3']));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      MultiRegionConsistency: 'STRONG',
      GlobalTableWitnesses: Match.absent(),
    });
    expect(
      replicasOf(template)
        .map((r) => r.Region)
        .sort(),
    ).toEqual(['eu-west-1', 'eu-west-2', 'eu-west-3']);
  });

  it('renders strong consistency with two replicas and a witness', () => {
    const { stack } = table(strong(['eu-central-1'], { witnessRegion: 'eu-west-2' }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      MultiRegionConsistency: 'STRONG',
      GlobalTableWitnesses: [{ Region: 'eu-west-2' }],
    });
    expect(
      replicasOf(template)
        .map((r) => r.Region)
        .sort(),
    ).toEqual(['eu-central-1', 'eu-west-1']);
  });

  it('makes a plain single-Region table without replication, or with no replica Regions', () => {
    for (const replication of [undefined, eventual([]), strong([])]) {
      const { stack } = table(replication);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        MultiRegionConsistency: Match.absent(),
        Replicas: [Match.objectLike({ Region: 'eu-west-1' })],
      });
      template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    }
  });

  it('alarms per replica Region on ReplicationLatency, sustained 15 of 15 minutes, to the topic', () => {
    // GIVEN
    const stack = stackIn();
    const topic = new sns.Topic(stack, 'Alarms');
    // WHEN
    table(eventual(['eu-west-2', 'us-east-1'], { latencyAlarmThreshold: Duration.minutes(2) }), {
      stack,
      alarmTopic: topic,
    });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    for (const region of ['eu-west-2', 'us-east-1']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/DynamoDB',
        MetricName: 'ReplicationLatency',
        Dimensions: Match.arrayWith([
          { Name: 'ReceivingRegion', Value: region },
          { Name: 'TableName', Value: { Ref: Match.stringLikeRegexp('^Table') } },
        ]),
        Statistic: 'Average',
        Period: 60,
        Threshold: 120_000,
        EvaluationPeriods: 15,
        DatapointsToAlarm: 15,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
        AlarmDescription: Match.stringLikeRegexp(`reads in ${region} may be up to 2 minutes`),
      });
    }
  });

  it('tells readers of a strong table that only eventually consistent reads lag', () => {
    const { stack } = table(strong(['eu-west-2', 'eu-west-3']));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp(
        'eventually consistent reads in eu-west-3 may be up to 3 minutes .* strongly consistent reads are not',
      ),
    });
  });

  it('defaults the latency threshold to 3 minutes', () => {
    const { stack } = table(eventual(['eu-west-2']));
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReplicationLatency',
      Threshold: 180_000,
      AlarmActions: Match.absent(),
    });
  });

  describe('validation', () => {
    const fails = (
      replication: TableReplication,
      message: RegExp,
      options: Parameters<typeof table>[1] = {},
    ) => {
      expect(() => table(replication, options)).toThrow(message);
    };

    it('fails if replicas are set in an environment-agnostic stack', () => {
      fails(eventual(['eu-west-2']), /stack's Region at synth[\s\S]*set env.region[\s\S]*conflux:region/, {
        stack: stackIn(null),
      });
    });

    it('fails if a strong table names a Region by a token', () => {
      const stack = stackIn();
      fails(
        strong([Lazy.string({ produce: () => 'eu-west-2' }), 'eu-west-3']),
        /replicaRegions\[0\] is a token/,
        {
          stack,
        },
      );
    });

    it('fails if a replica Region is not a Region name', () => {
      fails(eventual(['mars-1']), /replicaRegions\[0\] = "mars-1" is not an AWS Region name/);
    });

    it('fails if a replica Region is listed twice', () => {
      fails(eventual(['eu-west-2', 'eu-west-2']), /replicaRegions lists eu-west-2 more than once/);
    });

    it("fails if a replica Region is the stack's own", () => {
      fails(eventual(['eu-west-1']), /replicaRegions includes eu-west-1, the stack's own Region/);
    });

    it('fails if an eventual table has a witness', () => {
      fails(
        eventual(['eu-west-2'], { witnessRegion: 'eu-west-3' }),
        /witnessRegion \(eu-west-3\) is only for mode 'strong'/,
      );
    });

    it('fails if a strong table has two Regions without a witness', () => {
      fails(
        strong(['eu-west-2']),
        /needs exactly three Regions[\s\S]*received replicaRegions \[eu-west-2\] and no witnessRegion/,
      );
    });

    it('fails if a strong table has four Regions, or three and a witness', () => {
      fails(strong(['eu-west-2', 'eu-west-3', 'eu-central-1']), /needs exactly three Regions/);
      fails(
        strong(['eu-west-2', 'eu-west-3'], { witnessRegion: 'eu-central-1' }),
        /needs exactly three Regions/,
      );
    });

    it('fails if a strong Region is outside the stack Region set, naming the set', () => {
      fails(
        strong(['eu-west-2', 'us-east-1']),
        /the stack's Region eu-west-1 is in the EU set \(eu-west-1, eu-west-2, eu-west-3, eu-central-1\) but replicaRegions has us-east-1/,
      );
    });

    it('fails if the witness is outside the stack Region set', () => {
      fails(
        strong(['eu-west-2'], { witnessRegion: 'us-east-2' }),
        /EU set[\s\S]*but witnessRegion has us-east-2/,
      );
    });

    it('fails if the stack Region belongs to no MRSC Region set', () => {
      fails(
        strong(['ap-northeast-1', 'ap-northeast-2']),
        /the stack's Region ap-south-1 belongs to none of them/,
        {
          stack: stackIn('ap-south-1'),
        },
      );
    });

    it('fails if the witness is also a replica', () => {
      fails(
        strong(['eu-west-2'], { witnessRegion: 'eu-west-2' }),
        /witnessRegion eu-west-2 is also in replicaRegions/,
      );
    });

    it("fails if the witness is the stack's own Region", () => {
      fails(
        strong(['eu-west-2'], { witnessRegion: 'eu-west-1' }),
        /witnessRegion eu-west-1 is the stack's own Region/,
      );
    });

    it('fails if a strong table has a local secondary index', () => {
      fails(
        strong(['eu-west-2', 'eu-west-3']),
        /does not support local secondary indexes; the table has byDate/,
        {
          props: {
            sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
            localSecondaryIndexes: [
              { indexName: 'byDate', sortKey: { name: 'date', type: dynamodb.AttributeType.STRING } },
            ],
          },
        },
      );
    });

    it('fails if a strong table has a TTL attribute', () => {
      fails(
        strong(['eu-west-2', 'eu-west-3']),
        /does not support Time to Live; the table expires items on expiresAt/,
        {
          props: { timeToLiveAttribute: 'expiresAt' },
        },
      );
    });

    it('fails if the latency alarm threshold is not above zero', () => {
      fails(
        eventual(['eu-west-2'], { latencyAlarmThreshold: Duration.seconds(0) }),
        /latencyAlarmThreshold must be more than 0; received 0 seconds/,
      );
    });

    it('fails if the table props set replicas as well', () => {
      fails(eventual(['eu-west-2']), /table props set replicas as well as replication/, {
        props: { replicas: [{ region: 'us-east-1' }] },
      });
    });

    it('reports every problem at once', () => {
      fails(
        strong(['mars-1', 'us-east-1', 'eu-west-1'], { latencyAlarmThreshold: Duration.seconds(0) }),
        /latencyAlarmThreshold[\s\S]*mars-1[\s\S]*eu-west-1, the stack's own Region[\s\S]*exactly three Regions[\s\S]*us-east-1/,
      );
    });

    it('accepts every valid configuration of each Region set', () => {
      for (const [set, regions] of Object.entries(MRSC_REGION_SETS)) {
        const [home, a, b] = regions;
        expect(mrscRegionSetOf(home)).toBe(set);
        expect(() => table(strong([a, b]), { stack: stackIn(home) })).not.toThrow();
        expect(() => table(strong([a], { witnessRegion: b }), { stack: stackIn(home) })).not.toThrow();
      }
      expect(() => table(eventual(['ap-southeast-2', 'sa-east-1']))).not.toThrow();
    });

    it('fails synth if a strong table gains a local secondary index or a TTL later', () => {
      // GIVEN a valid strong table
      const stack = stackIn();
      const created = replicatedTable(
        stack,
        'Table',
        { ...tableProps, sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING } },
        { replication: strong(['eu-west-2', 'eu-west-3']) },
      );
      // WHEN an index and a TTL are added after construction
      created.addLocalSecondaryIndex({
        indexName: 'late',
        sortKey: { name: 'x', type: dynamodb.AttributeType.STRING },
      });
      (created.node.defaultChild as dynamodb.CfnGlobalTable).addPropertyOverride('TimeToLiveSpecification', {
        AttributeName: 'ttl',
        Enabled: true,
      });
      // THEN
      expect(() => Template.fromStack(stack)).toThrow(
        /local secondary indexes; the table has late[\s\S]*Time to Live; the table expires items on ttl/,
      );
    });

    it('fails synth if replicas of a strong table are changed later', () => {
      const { stack, table: created } = table(strong(['eu-west-2', 'eu-west-3']));
      created.addReplica({ region: 'eu-central-1' });
      expect(() => Template.fromStack(stack)).toThrow(
        /checked for replicas in \[eu-west-2, eu-west-3\], but the table now has/,
      );
    });
  });

  it('replicationProps gives nothing without replica Regions and the TableV2 props otherwise', () => {
    const stack = stackIn();
    expect(replicationProps(stack)).toEqual({});
    expect(replicationProps(stack, eventual([]))).toEqual({});
    expect(replicationProps(stack, strong(['eu-west-2'], { witnessRegion: 'eu-west-3' }))).toEqual({
      replicas: [{ region: 'eu-west-2' }],
      multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG,
      witnessRegion: 'eu-west-3',
    });
    expect(() => replicationProps(stack, strong(['us-east-1']))).toThrow(/Invalid TableReplication at Test:/);
  });

  it('passes cdk-nag AwsSolutions and Serverless with no finding left', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'replication-nag-'));
    try {
      // GIVEN
      const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Nag', { env: { account: '111111111111', region: 'eu-west-1' } });
      replicatedTable(stack, 'Eventual', tableProps, { replication: eventual(['us-east-1']) });
      replicatedTable(stack, 'Strong', tableProps, {
        replication: strong(['eu-west-2'], { witnessRegion: 'eu-west-3' }),
      });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
      // WHEN / THEN
      expect(() => app.synth()).not.toThrow();
      const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: { violations: unknown[] }[];
      };
      expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('Projection with replication', () => {
  it('replicates both read-model tables and alarms on each replica Region', () => {
    // GIVEN
    const stack = stackIn();
    const store = new EventStore(stack, 'Store');
    const topic = new sns.Topic(stack, 'Alarms');
    // WHEN
    new Projection(stack, 'View', {
      store,
      entry: fixtureHandler,
      projectionName: 'things',
      keyName: 'thingId',
      replication: eventual(['eu-west-2']),
      alarmTopic: topic,
    });
    // THEN
    const template = Template.fromStack(stack);
    const tables = template.findResources('AWS::DynamoDB::GlobalTable', {
      Properties: { MultiRegionConsistency: 'EVENTUAL' },
    });
    expect(Object.keys(tables).sort()).toEqual([
      expect.stringMatching(/^ViewReadModelA/),
      expect.stringMatching(/^ViewReadModelB/),
    ]);
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: {
        MetricName: 'ReplicationLatency',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
      },
    });
    expect(Object.keys(alarms)).toHaveLength(2);
  });

  it('refuses an invalid replication of the read models', () => {
    const stack = stackIn();
    const store = new EventStore(stack, 'Store');
    expect(
      () =>
        new Projection(stack, 'View', {
          store,
          entry: fixtureHandler,
          projectionName: 'things',
          keyName: 'thingId',
          replication: strong(['us-east-1', 'us-east-2']),
        }),
    ).toThrow(/Invalid TableReplication at Test\/View\/ReadModelA[\s\S]*EU set/);
  });
});

describe('EventStore stays single-Region', () => {
  it('fails synth when its events table gets a replica, saying why', () => {
    // GIVEN
    const stack = stackIn();
    const store = new EventStore(stack, 'Store');
    // WHEN
    store.table.addReplica({ region: 'eu-west-2' });
    // THEN
    expect(() => Template.fromStack(stack)).toThrow(
      /events table must stay single-Region, but it has replicas in eu-west-2[\s\S]*TransactWriteItems[\s\S]*supports no transactions[\s\S]*point-in-time recovery/,
    );
  });

  it('fails synth when replicas arrive through an escape hatch', () => {
    const stack = stackIn();
    const store = new EventStore(stack, 'Store');
    (store.table.node.defaultChild as dynamodb.CfnGlobalTable).addPropertyOverride('Replicas.1', {
      Region: 'us-east-1',
    });
    expect(() => Template.fromStack(stack)).toThrow(/replicas in us-east-1/);
  });

  it('synthesizes in an environment-agnostic stack, whose own replica is the AWS::Region reference', () => {
    const stack = stackIn(null);
    new EventStore(stack, 'Store');
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  it('synthesizes single-Region, keeping PITR', () => {
    const stack = stackIn();
    new EventStore(stack, 'Store', { deletionProtection: true });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      Replicas: [
        Match.objectLike({
          Region: 'eu-west-1',
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
  });
});
