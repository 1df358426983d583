import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { runApp } from '../../../../../test/support/runtime.js';

/** The parts of a global table each case changes; the rest is one string partition key. */
type Layout = Partial<
  Pick<
    dynamodb.CfnGlobalTableProps,
    'multiRegionConsistency' | 'globalTableWitnesses' | 'localSecondaryIndexes' | 'timeToLiveSpecification'
  >
> & { regions: string[] };

/** Starts an app of one `AWS::DynamoDB::GlobalTable` laid out as given; resolves with the refusal. */
async function refusal(layout: Layout): Promise<string> {
  const { regions, ...rest } = layout;
  const started = runApp((app) => {
    const stack = new Stack(app, 'GlobalRefusals', { env: { region: 'us-east-1' } });
    new dynamodb.CfnGlobalTable(stack, 'Table', {
      keySchema: [
        { attributeName: 'pk', keyType: 'HASH' },
        { attributeName: 'sk', keyType: 'RANGE' },
      ],
      attributeDefinitions: [
        { attributeName: 'pk', attributeType: 'S' },
        { attributeName: 'sk', attributeType: 'S' },
        { attributeName: 'other', attributeType: 'S' },
      ],
      billingMode: 'PAY_PER_REQUEST',
      replicas: regions.map((region) => ({ region })),
      ...rest,
    });
  });
  return started.then(
    async (running) => {
      await running.stop();
      return 'started';
    },
    (error: unknown) => String(error),
  );
}

describe('global tables the offline runtime refuses at start-up', () => {
  it('fails if an MRSC table has two replicas and no witness', async () => {
    expect(await refusal({ regions: ['us-east-1', 'us-east-2'], multiRegionConsistency: 'STRONG' })).toMatch(
      /MultiRegionConsistency STRONG needs three replicas, or two replicas and one witness; found 2 replica\(s\) and 0 witness/,
    );
  });

  it('fails if an MRSC table has a Region outside one MRSC Region set', async () => {
    expect(
      await refusal({ regions: ['us-east-1', 'us-east-2', 'eu-west-1'], multiRegionConsistency: 'STRONG' }),
    ).toMatch(/every replica and witness in one Region set .*found us-east-1, us-east-2, eu-west-1/);
  });

  it('fails if an MRSC table’s witness is outside its replicas’ Region set', async () => {
    expect(
      await refusal({
        regions: ['us-east-1', 'us-east-2'],
        multiRegionConsistency: 'STRONG',
        globalTableWitnesses: [{ region: 'ap-northeast-1' }],
      }),
    ).toMatch(/every replica and witness in one Region set/);
  });

  it('fails if an MRSC table has local secondary indexes', async () => {
    expect(
      await refusal({
        regions: ['us-east-1', 'us-east-2', 'us-west-2'],
        multiRegionConsistency: 'STRONG',
        localSecondaryIndexes: [
          {
            indexName: 'byOther',
            keySchema: [
              { attributeName: 'pk', keyType: 'HASH' },
              { attributeName: 'other', keyType: 'RANGE' },
            ],
            projection: { projectionType: 'ALL' },
          },
        ],
      }),
    ).toMatch(/STRONG does not allow LocalSecondaryIndexes/);
  });

  it('fails if an MRSC table has time to live enabled', async () => {
    expect(
      await refusal({
        regions: ['us-east-1', 'us-east-2', 'us-west-2'],
        multiRegionConsistency: 'STRONG',
        timeToLiveSpecification: { enabled: true, attributeName: 'expiresAt' },
      }),
    ).toMatch(/STRONG does not allow TimeToLiveSpecification enabled/);
  });

  it('fails if the runtime’s Region is not one of the replicas', async () => {
    expect(await refusal({ regions: ['us-east-2', 'us-west-2'] })).toMatch(
      /the offline runtime serves handlers in us-east-1; make it one of the replicas/,
    );
  });

  it('fails if the only replica is in another Region', async () => {
    expect(await refusal({ regions: ['eu-west-1'] })).toMatch(/make it one of the replicas/);
  });

  it('fails if an MREC table has a witness', async () => {
    expect(
      await refusal({ regions: ['us-east-1', 'us-east-2'], globalTableWitnesses: [{ region: 'us-west-2' }] }),
    ).toMatch(/GlobalTableWitnesses need MultiRegionConsistency STRONG/);
  });

  it('fails if a Region is named twice', async () => {
    expect(
      await refusal({
        regions: ['us-east-1', 'us-east-2'],
        multiRegionConsistency: 'STRONG',
        globalTableWitnesses: [{ region: 'us-east-2' }],
      }),
    ).toMatch(/us-east-2 named more than once among Replicas and GlobalTableWitnesses/);
  });

  it('reports every problem of a table at once', async () => {
    const message = await refusal({
      regions: ['us-east-2', 'eu-west-1'],
      multiRegionConsistency: 'STRONG',
      timeToLiveSpecification: { enabled: true, attributeName: 'expiresAt' },
    });
    expect(message).toMatch(/make it one of the replicas/);
    expect(message).toMatch(/three replicas, or two replicas and one witness/);
    expect(message).toMatch(/one Region set/);
    expect(message).toMatch(/TimeToLiveSpecification/);
  });
});
