/**
 * The DynamoDB router of the offline runtime (one DynamoDB Local without `-sharedDb`, a table set per
 * Region, global tables replicated between them), measured on a small app run in this process: an MREC
 * TableV2 (us-east-1 and us-east-2) at the default lag, an MRSC TableV2 (us-east-1, us-east-2, witness
 * us-west-2) at the default round trip, and a plain table.
 *
 *  1. Replication lag of the MREC table at the default 500 ms: write acknowledged in us-east-1 → applied in
 *     us-east-2, as the router measures it (`GET /_conflux/replication`), over ROUTER_WRITES writes.
 *  2. Write latency (PutItem, one at a time) of the MREC table and of the MRSC table (30 ms round trip),
 *     against a PutItem of the plain table through the router.
 *  3. The router's added latency per GetItem: the plain table's GetItem through the router against the same
 *     GetItem sent to DynamoDB Local directly (signed with the router's own access key, so it reads the same
 *     database), runs interleaved.
 *
 *   npx tsx bench/dynamodb-router.ts
 *   ROUTER_WRITES=100 ROUTER_READS=500 npx tsx bench/dynamodb-router.ts
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ENGINE_ACCESS_KEY } from '@conflux/local';
import { runApp } from '../test/support/runtime';
import { exact, figure, formatFigure, stats, timed, type Benchmark, type Figure } from './support/figures';
import { isMain } from './support/main';

const count = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return value;
};
const WRITES = count('ROUTER_WRITES', 200);
const READS = count('ROUTER_READS', 1000);

/** The nearest-rank percentile `p` (0–100) of `samples`. */
function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export const benchmark: Benchmark = {
  group: 'dynamodb-router',
  async run(): Promise<Figure[]> {
    let tables!: { eventual: dynamodb.TableV2; strong: dynamodb.TableV2; plain: dynamodb.Table };
    // The defaults (500 ms lag, 30 ms round trip) are what is measured: the environment must not change them.
    delete process.env.CONFLUX_REPLICATION_LAG_MS;
    delete process.env.CONFLUX_REPLICATION_RTT_MS;
    const running = await runApp((app) => {
      const stack = new Stack(app, 'RouterBench', { env: { region: 'us-east-1' } });
      const partitionKey = { name: 'id', type: dynamodb.AttributeType.STRING };
      tables = {
        eventual: new dynamodb.TableV2(stack, 'Eventual', {
          partitionKey,
          replicas: [{ region: 'us-east-2' }],
        }),
        strong: new dynamodb.TableV2(stack, 'Strong', {
          partitionKey,
          replicas: [{ region: 'us-east-2' }],
          multiRegionConsistency: dynamodb.MultiRegionConsistency.STRONG,
          witnessRegion: 'us-west-2',
        }),
        plain: new dynamodb.Table(stack, 'Plain', { partitionKey }),
      };
    });
    const { engines } = running.runtime;
    const direct = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: engines.dynamodbRouter.engineEndpoint,
      credentials: { accessKeyId: ENGINE_ACCESS_KEY, secretAccessKey: 'x' },
    });
    try {
      const eventual = running.physical(tables.eventual);
      const strong = running.physical(tables.strong);
      const plain = running.physical(tables.plain);
      const db = engines.dynamodb;
      const put = (TableName: string) => () =>
        db.send(new PutItemCommand({ TableName, Item: { id: { S: randomUUID() }, v: { N: '1' } } }));
      const plainWrites = await timed(WRITES, put(plain), 20);
      const eventualWrites = await timed(WRITES, put(eventual), 20);
      const strongWrites = await timed(WRITES, put(strong), 5);
      await engines.dynamodbRouter.settle(60_000);
      const lag = engines.dynamodbRouter.replication().tables.find((t) => t.tableName === eventual)?.lag;
      if (!lag || lag.count === 0) throw new Error('the MREC table replicated nothing');

      const Key = { id: { S: 'bench-read' } };
      await db.send(new PutItemCommand({ TableName: plain, Item: { ...Key, v: { N: '1' } } }));
      const routed: number[] = [];
      const straight: number[] = [];
      const read = (client: DynamoDBClient) => () =>
        client.send(new GetItemCommand({ TableName: plain, Key }));
      await timed(50, read(db));
      await timed(50, read(direct));
      for (let i = 0; i < READS; i += 1) {
        routed.push(...(await timed(1, read(db))));
        straight.push(...(await timed(1, read(direct))));
      }
      const plainStats = stats(plainWrites);
      const ms = 'ms' as const;
      return [
        figure({
          id: 'dynamodb-router.mrec.lag-p50-ms',
          group: 'dynamodb-router',
          title: 'MREC replication lag p50 at the default 500 ms',
          unit: ms,
          better: 'lower',
          subject: exact(lag.p50),
          note: `write acknowledged in us-east-1 → applied in us-east-2, ${lag.count} deliveries`,
        }),
        figure({
          id: 'dynamodb-router.mrec.lag-p95-ms',
          group: 'dynamodb-router',
          title: 'MREC replication lag p95 at the default 500 ms',
          unit: ms,
          better: 'lower',
          subject: exact(lag.p95),
        }),
        figure({
          id: 'dynamodb-router.mrec.lag-max-ms',
          group: 'dynamodb-router',
          title: 'MREC replication lag max at the default 500 ms',
          unit: ms,
          better: 'lower',
          subject: exact(lag.max),
        }),
        figure({
          id: 'dynamodb-router.mrec.put-ms',
          group: 'dynamodb-router',
          title: 'PutItem of an MREC table (acknowledged before it replicates)',
          unit: ms,
          better: 'lower',
          subject: stats(eventualWrites),
          baseline: { label: 'PutItem of a plain table, routed', stats: plainStats },
          withDelta: true,
        }),
        figure({
          id: 'dynamodb-router.mrsc.put-ms',
          group: 'dynamodb-router',
          title: 'PutItem of an MRSC table at the default 30 ms round trip',
          unit: ms,
          better: 'lower',
          subject: stats(strongWrites),
          baseline: { label: 'PutItem of a plain table, routed', stats: plainStats },
          withDelta: true,
          note: `p95 ${percentile(strongWrites, 95).toFixed(1)} ms`,
        }),
        figure({
          id: 'dynamodb-router.mrsc.put-p95-ms',
          group: 'dynamodb-router',
          title: 'PutItem of an MRSC table at 30 ms round trip, p95',
          unit: ms,
          better: 'lower',
          subject: exact(percentile(strongWrites, 95)),
        }),
        figure({
          id: 'dynamodb-router.get-item-ms',
          group: 'dynamodb-router',
          title: 'GetItem through the router',
          unit: ms,
          better: 'lower',
          subject: stats(routed),
          baseline: { label: 'the same GetItem sent to DynamoDB Local directly', stats: stats(straight) },
          withDelta: true,
          note: 'runs interleaved; the delta is what the router adds per request',
        }),
      ];
    } finally {
      direct.destroy();
      await running.stop();
    }
  },
};

if (isMain(import.meta.url)) for (const f of await benchmark.run()) console.log(formatFigure(f));
