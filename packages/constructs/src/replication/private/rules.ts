import { Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { PropsValidationError } from '../../private/validation.js';
import { MRSC_REGION_SETS, mrscRegionSetOf } from '../region-sets.js';
import type { TableReplication } from '../table-replication.js';

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

// MRSC rules: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html#V2globaltables_HowItWorks.consistency-modes-mrsc
// (three Regions of one Region set, or two and a witness; no transactions, TTL or local secondary indexes),
// the Region sets and the witness: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-dynamodb-globaltable-globaltablewitness.html

/** Every problem of `replication` for a table in a stack of Region `stackRegion`. */
export function replicationProblems(stackRegion: string, replication: TableReplication): string[] {
  const problems: string[] = [];
  const { mode, replicaRegions, witnessRegion, latencyAlarmThreshold } = replication;
  const strong = mode === 'strong';
  if ((mode as string) !== 'eventual' && !strong) {
    problems.push(`mode must be 'eventual' or 'strong'; received ${JSON.stringify(mode)}.`);
  }
  if (latencyAlarmThreshold !== undefined && !latencyAlarmThreshold.isUnresolved()) {
    if (latencyAlarmThreshold.toMilliseconds() <= 0)
      problems.push(
        `latencyAlarmThreshold must be more than 0; received ${latencyAlarmThreshold.toHumanString()}. ` +
          'Leave it out for the default of 3 minutes.',
      );
  }
  if (replicaRegions.length === 0 && witnessRegion === undefined) return problems;

  const regionAgnostic = Token.isUnresolved(stackRegion);
  if (regionAgnostic) {
    problems.push(
      "replicas need the stack's Region at synth, but the stack is environment-agnostic (its Region is a token): " +
        'set env.region on the stack (in the Conflux app, context conflux:region).',
    );
  }

  const seen = new Set<string>();
  replicaRegions.forEach((region, i) => {
    if (Token.isUnresolved(region)) {
      if (strong)
        problems.push(
          `replicaRegions[${i}] is a token; mode 'strong' checks its Region set at synth: give a Region name.`,
        );
      return;
    }
    if (!REGION_NAME.test(region)) {
      problems.push(
        `replicaRegions[${i}] = "${region}" is not an AWS Region name such as eu-west-2: correct it.`,
      );
    } else if (seen.has(region)) {
      problems.push(`replicaRegions lists ${region} more than once: list each Region once.`);
    } else if (region === stackRegion) {
      problems.push(
        `replicaRegions includes ${region}, the stack's own Region, which always holds the table: remove it.`,
      );
    }
    seen.add(region);
  });

  if (witnessRegion !== undefined && !Token.isUnresolved(witnessRegion)) {
    if (!strong) {
      problems.push(
        `witnessRegion (${witnessRegion}) is only for mode 'strong': an 'eventual' (MREC) table has no witness; ` +
          "remove witnessRegion or use mode 'strong'.",
      );
    }
    if (!REGION_NAME.test(witnessRegion)) {
      problems.push(
        `witnessRegion = "${witnessRegion}" is not an AWS Region name such as eu-west-3: correct it.`,
      );
    } else if (seen.has(witnessRegion)) {
      problems.push(
        `witnessRegion ${witnessRegion} is also in replicaRegions; a witness holds no replica: ` +
          'choose a Region that is not a replica, or drop the witness and list three Regions.',
      );
    } else if (witnessRegion === stackRegion) {
      problems.push(
        `witnessRegion ${witnessRegion} is the stack's own Region, which holds a replica: choose another Region of its set.`,
      );
    }
  } else if (witnessRegion !== undefined && strong) {
    problems.push(
      "witnessRegion is a token; mode 'strong' checks its Region set at synth: give a Region name.",
    );
  }

  if (strong) problems.push(...strongProblems(stackRegion, regionAgnostic, replicaRegions, witnessRegion));
  return problems;
}

function strongProblems(
  stackRegion: string,
  regionAgnostic: boolean,
  replicaRegions: readonly string[],
  witnessRegion: string | undefined,
): string[] {
  const problems: string[] = [];
  const expected = witnessRegion === undefined ? 2 : 1;
  if (replicaRegions.length !== expected) {
    problems.push(
      "mode 'strong' (MRSC) needs exactly three Regions: the stack's and two replicaRegions, or the stack's, one " +
        `replicaRegion and a witnessRegion; received replicaRegions [${replicaRegions.join(', ')}] and ` +
        `${witnessRegion === undefined ? 'no witnessRegion' : `witnessRegion ${witnessRegion}`}.`,
    );
  }
  if (regionAgnostic) return problems;
  const sets = Object.entries(MRSC_REGION_SETS)
    .map(([name, regions]) => `${name}: ${regions.join(', ')}`)
    .join('; ');
  const set = mrscRegionSetOf(stackRegion);
  if (set === undefined) {
    problems.push(
      `mode 'strong' (MRSC) is only offered in three Region sets (${sets}); the stack's Region ${stackRegion} ` +
        "belongs to none of them: deploy the stack in one of those Regions or use mode 'eventual'.",
    );
    return problems;
  }
  const members: readonly string[] = MRSC_REGION_SETS[set];
  const others = [
    ...replicaRegions.map((region) => ({ region, field: 'replicaRegions' })),
    ...(witnessRegion === undefined ? [] : [{ region: witnessRegion, field: 'witnessRegion' }]),
  ];
  for (const { region, field } of others) {
    if (Token.isUnresolved(region) || !REGION_NAME.test(region) || members.includes(region)) continue;
    problems.push(
      `mode 'strong' (MRSC) needs every Region in one Region set; the stack's Region ${stackRegion} is in the ` +
        `${set} set (${members.join(', ')}) but ${field} has ${region}: choose Regions of the ${set} set.`,
    );
  }
  return problems;
}

/** What a table's own props cannot have under `replication`. */
export function tableProblems(props: dynamodb.TablePropsV2, replication: TableReplication): string[] {
  const problems: string[] = [];
  const conflicting = (['replicas', 'multiRegionConsistency', 'witnessRegion'] as const).filter(
    (key) => props[key] !== undefined,
  );
  if (conflicting.length > 0) {
    problems.push(
      `the table props set ${conflicting.join(', ')} as well as replication: give Regions and mode in replication only.`,
    );
  }
  if (replication.mode === 'strong' && replication.replicaRegions.length > 0) {
    problems.push(
      ...strongTableProblems(
        (props.localSecondaryIndexes ?? []).map((i) => i.indexName),
        props.timeToLiveAttribute,
      ),
    );
  }
  return problems;
}

/** The MRSC limitations of a table's features. */
export function strongTableProblems(lsiNames: readonly string[], ttlAttribute: string | undefined): string[] {
  const problems: string[] = [];
  if (lsiNames.length > 0) {
    problems.push(
      `mode 'strong' (MRSC) does not support local secondary indexes; the table has ${lsiNames.join(', ')}: ` +
        "use global secondary indexes, or mode 'eventual'.",
    );
  }
  if (ttlAttribute !== undefined) {
    problems.push(
      `mode 'strong' (MRSC) does not support Time to Live; the table expires items on ${ttlAttribute}: ` +
        "delete expired items yourself, or use mode 'eventual'.",
    );
  }
  return problems;
}

/** The TableV2 props for a `replication` already checked. */
export function renderReplication(replication: TableReplication): Partial<dynamodb.TablePropsV2> {
  if (replication.replicaRegions.length === 0) return {};
  return {
    replicas: replication.replicaRegions.map((region) => ({ region })),
    multiRegionConsistency:
      replication.mode === 'strong'
        ? dynamodb.MultiRegionConsistency.STRONG
        : dynamodb.MultiRegionConsistency.EVENTUAL,
    ...(replication.witnessRegion !== undefined && { witnessRegion: replication.witnessRegion }),
  };
}

/** One error naming every problem, in the style of the other constructs. */
export function invalid(path: string, problems: readonly string[]): PropsValidationError {
  const list = problems.map((p) => `  - ${p}`).join('\n');
  return new PropsValidationError(`Invalid TableReplication at ${path}:\n${list}`);
}
