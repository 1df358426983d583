/**
 * The Region sets of multi-Region strong consistency: every Region of an MRSC table (replicas and witness)
 * must belong to one of them.
 * Source: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-dynamodb-globaltable-globaltablewitness.html
 */
export const MRSC_REGION_SETS = {
  US: ['us-east-1', 'us-east-2', 'us-west-2'],
  EU: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
  AP: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
} as const satisfies Record<string, readonly string[]>;

/** A name of {@link MRSC_REGION_SETS}. */
export type MrscRegionSet = keyof typeof MRSC_REGION_SETS;

/** The MRSC Region set `region` belongs to, or undefined when it belongs to none. */
export function mrscRegionSetOf(region: string): MrscRegionSet | undefined {
  return (Object.keys(MRSC_REGION_SETS) as MrscRegionSet[]).find((set) =>
    (MRSC_REGION_SETS[set] as readonly string[]).includes(region),
  );
}
