import { staticText, UNRESOLVED } from '../../core/provisioning.js';

/** The Region sets an MRSC global table's replicas and witness must all belong to (one of them). */
export const MRSC_REGION_SETS = {
  US: ['us-east-1', 'us-east-2', 'us-west-2'],
  EU: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
  AP: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
} as const satisfies Record<string, readonly string[]>;

/** The replication a global table's template declares. */
export interface GlobalTableLayout {
  readonly replicas: readonly string[];
  readonly witnesses: readonly string[];
  readonly consistency: 'EVENTUAL' | 'STRONG';
}

const regionsOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? (value as { Region?: unknown }[]).map((r) => staticText(r.Region) ?? UNRESOLVED)
    : [];

/** The replica and witness Regions and the consistency of an `AWS::DynamoDB::GlobalTable`'s properties. */
export function globalTableLayout(p: Readonly<Record<string, unknown>>): GlobalTableLayout {
  return {
    replicas: regionsOf(p.Replicas),
    witnesses: regionsOf(p.GlobalTableWitnesses),
    consistency: staticText(p.MultiRegionConsistency) === 'STRONG' ? 'STRONG' : 'EVENTUAL',
  };
}

/**
 * What keeps a global table from running offline as it would on AWS, each problem naming its rule. Regions
 * the template alone does not tell are given the benefit of the doubt.
 */
export function globalTableProblems(
  where: string,
  p: Readonly<Record<string, unknown>>,
  homeRegion: string,
): string[] {
  const { replicas, witnesses, consistency } = globalTableLayout(p);
  const known = [...replicas, ...witnesses].filter((r) => r !== UNRESOLVED);
  const problems: string[] = [];
  const consistencyText = staticText(p.MultiRegionConsistency);
  if (consistencyText !== undefined && !['EVENTUAL', 'STRONG', UNRESOLVED].includes(consistencyText)) {
    problems.push(`${where}: MultiRegionConsistency ${consistencyText} must be EVENTUAL or STRONG`);
  }
  const duplicates = [...new Set(known.filter((r, i) => known.indexOf(r) !== i))];
  if (duplicates.length > 0) {
    problems.push(
      `${where}: ${duplicates.join(', ')} named more than once among Replicas and GlobalTableWitnesses; each Region holds one replica or the witness`,
    );
  }
  if (replicas.length > 0 && !replicas.includes(UNRESOLVED) && !replicas.includes(homeRegion)) {
    problems.push(
      `${where}: Replicas in ${replicas.join(', ')}: the offline runtime serves handlers in ${homeRegion}; make it one of the replicas`,
    );
  }
  if (consistency === 'EVENTUAL') {
    if (witnesses.length > 0) {
      problems.push(
        `${where}: GlobalTableWitnesses need MultiRegionConsistency STRONG; a table with eventual consistency (MREC) has no witness`,
      );
    }
    return problems;
  }
  if (!(
    (replicas.length === 3 && witnesses.length === 0) ||
    (replicas.length === 2 && witnesses.length === 1)
  )) {
    problems.push(
      `${where}: MultiRegionConsistency STRONG needs three replicas, or two replicas and one witness; found ${replicas.length} replica(s) and ${witnesses.length} witness(es)`,
    );
  }
  const set = Object.entries(MRSC_REGION_SETS).find(([, regions]) =>
    known.every((r) => (regions as readonly string[]).includes(r)),
  );
  if (!set && known.length > 0) {
    problems.push(
      `${where}: MultiRegionConsistency STRONG needs every replica and witness in one Region set (${Object.entries(
        MRSC_REGION_SETS,
      )
        .map(([name, regions]) => `${name}: ${regions.join(', ')}`)
        .join('; ')}); found ${known.join(', ')}`,
    );
  }
  if (Array.isArray(p.LocalSecondaryIndexes) && p.LocalSecondaryIndexes.length > 0) {
    problems.push(
      `${where}: MultiRegionConsistency STRONG does not allow LocalSecondaryIndexes; remove them`,
    );
  }
  const ttl = p.TimeToLiveSpecification as { Enabled?: unknown } | undefined;
  if (ttl && staticText(ttl.Enabled) !== undefined && staticText(ttl.Enabled) !== 'false') {
    problems.push(
      `${where}: MultiRegionConsistency STRONG does not allow TimeToLiveSpecification enabled; disable time to live`,
    );
  }
  return problems;
}
