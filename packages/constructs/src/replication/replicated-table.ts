import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  invalid,
  renderReplication,
  replicationProblems,
  strongTableProblems,
  tableProblems,
} from './private/rules.js';
import { replicaRegionsOf, synthesizedProperties } from './private/synthesized.js';
import { DEFAULT_LATENCY_ALARM_THRESHOLD, type TableReplication } from './table-replication.js';

/** Options of {@link replicatedTable}. */
export interface ReplicatedTableOptions {
  /**
   * Where and how to replicate the table.
   * @default - the table stays in the stack's Region, exactly as `new TableV2(scope, id, props)` makes it
   */
  readonly replication?: TableReplication;
  /**
   * Where the replication-latency alarms notify.
   * @default - the alarms notify no one; they still show in the CloudWatch console
   */
  readonly alarmTopic?: sns.ITopic;
}

/** Minutes in a row above the threshold before a replication-latency alarm goes off. */
const LATENCY_ALARM_MINUTES = 15;

/**
 * A `TableV2` at `scope`/`id` made from `props` with the replicas, consistency mode and witness of
 * `options.replication`, and one `ReplicationLatency` alarm per replica Region. Throws a
 * `PropsValidationError` naming every problem of the replication at construction; under `'strong'`, fails synth
 * when a local secondary index, a TTL attribute or a different set of replicas is added to the table later.
 */
export function replicatedTable(
  scope: Construct,
  id: string,
  props: dynamodb.TablePropsV2,
  options: ReplicatedTableOptions = {},
): dynamodb.TableV2 {
  const { replication } = options;
  if (!replication) return new dynamodb.TableV2(scope, id, props);

  const problems = [
    ...replicationProblems(Stack.of(scope).region, replication),
    ...tableProblems(props, replication),
  ];
  if (problems.length > 0) throw invalid(`${scope.node.path}/${id}`, problems);

  const table = new dynamodb.TableV2(scope, id, { ...props, ...renderReplication(replication) });
  if (replication.mode === 'strong' && replication.replicaRegions.length > 0) keepStrong(table, replication);
  const threshold = replication.latencyAlarmThreshold ?? DEFAULT_LATENCY_ALARM_THRESHOLD;
  replication.replicaRegions.forEach((region, i) => {
    const name = Token.isUnresolved(region) ? `Replica${i}` : pascal(region);
    addLatencyAlarm(
      table,
      `ReplicationLatency${name}`,
      region,
      replication.mode,
      threshold,
      options.alarmTopic,
    );
  });
  return table;
}

/** Fails synth when the table gains what MRSC forbids after construction (methods, escape hatches). */
function keepStrong(table: dynamodb.TableV2, replication: TableReplication): void {
  table.node.addValidation({
    validate: () => {
      const properties = synthesizedProperties(table);
      const lsis = Array.isArray(properties.LocalSecondaryIndexes) ? properties.LocalSecondaryIndexes : [];
      const lsiNames = lsis.map((lsi: unknown) =>
        typeof lsi === 'object' && lsi !== null && 'IndexName' in lsi ? String(lsi.IndexName) : '?',
      );
      const ttl = properties.TimeToLiveSpecification;
      const ttlAttribute =
        typeof ttl === 'object' && ttl !== null && 'AttributeName' in ttl
          ? String(ttl.AttributeName)
          : undefined;
      const problems = strongTableProblems(lsiNames, ttlAttribute);
      const regions = replicaRegionsOf(properties).filter((r) => r !== Stack.of(table).region);
      const expected = [...replication.replicaRegions].sort();
      if (regions.sort().join() !== expected.join()) {
        problems.push(
          `mode 'strong' (MRSC) was checked for replicas in [${expected.join(', ')}], but the table now has ` +
            `[${regions.join(', ')}]: change replication.replicaRegions rather than adding or removing replicas.`,
        );
      }
      return problems.map((p) => `Invalid TableReplication at ${table.node.path}: ${p}`);
    },
  });
}

function addLatencyAlarm(
  table: dynamodb.TableV2,
  id: string,
  region: string,
  mode: TableReplication['mode'],
  threshold: Duration,
  topic: sns.ITopic | undefined,
): void {
  // Published by the Region a write was made in, per receiving Region: the alarm lives with the stack.
  const metric = new cloudwatch.Metric({
    namespace: 'AWS/DynamoDB',
    metricName: 'ReplicationLatency',
    dimensionsMap: { TableName: table.tableName, ReceivingRegion: region },
    statistic: cloudwatch.Stats.AVERAGE,
    period: Duration.minutes(1),
  });
  const where = Token.isUnresolved(region) ? 'the replica Region' : region;
  const home = Token.isUnresolved(Stack.of(table).region) ? "the stack's Region" : Stack.of(table).region;
  const alarm = new cloudwatch.Alarm(table, id, {
    metric,
    threshold: threshold.toMilliseconds(),
    // A sustained lag, not one slow minute: replication lag has no SLA and short spikes heal themselves.
    evaluationPeriods: LATENCY_ALARM_MINUTES,
    datapointsToAlarm: LATENCY_ALARM_MINUTES,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    // No writes, no data point: an idle table is not behind.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `${table.node.path}: ${latencyMeaning(where, home, mode, threshold)}`,
  });
  if (topic) alarm.addAlarmAction(new cwActions.SnsAction(topic));
}

/** What a latency alarm means to whoever reads it, in the terms of the table's mode. */
function latencyMeaning(
  where: string,
  home: string,
  mode: TableReplication['mode'],
  threshold: Duration,
): string {
  const lag = threshold.toHumanString();
  const measured = `ReplicationLatency from ${home} to ${where} has averaged above ${lag} for ${LATENCY_ALARM_MINUTES} minutes in a row`;
  if (mode === 'strong') {
    return (
      `eventually consistent reads in ${where} may be up to ${lag} (or more) behind writes made in ${home} ` +
      `(${measured}); strongly consistent reads are not, but they and writes slow down while a Region lags. ` +
      'Check throttling and the health of both Regions.'
    );
  }
  return (
    `reads in ${where} may be up to ${lag} (or more) behind writes made in ${home} (${measured}); a failover to ` +
    `${where} now would lose the writes not yet replicated. Check throttling and the health of both Regions.`
  );
}

function pascal(region: string): string {
  return region
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
