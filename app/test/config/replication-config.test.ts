import { describe, expect, it } from 'vitest';
import { ConfigError, familyReplication, loadConfig, loadReplicationConfig } from '../../config';

const from = (context: Record<string, unknown>) => (key: string) => context[key];

/** The problems `loadReplicationConfig` reports for a raw value and a home Region. */
function problems(raw: unknown, home: string | null = 'us-east-1'): string[] {
  const found: string[] = [];
  loadReplicationConfig(raw, home ?? undefined, (p) => found.push(p));
  return found;
}

describe('conflux:replication', () => {
  it('leaves every table single-Region when absent', () => {
    const config = loadConfig(from({}));
    expect(familyReplication(config.replication, 'readModels')).toBeUndefined();
    expect(familyReplication(config.replication, 'orders')).toBeUndefined();
    expect(familyReplication(config.replication, 'stock')).toBeUndefined();
  });

  it('gives each family its mode, with the witness only for strong ones', () => {
    // GIVEN read models eventual, orders strong with a witness, stock single-Region
    const config = loadConfig(
      from({
        'conflux:region': 'us-east-1',
        'conflux:replication': {
          replicaRegions: ['us-east-2'],
          witnessRegion: 'us-west-2',
          families: { readModels: 'eventual', orders: 'strong', stock: 'single-region' },
        },
      }),
    );
    // THEN
    expect(familyReplication(config.replication, 'readModels')).toEqual({
      mode: 'eventual',
      replicaRegions: ['us-east-2'],
    });
    expect(familyReplication(config.replication, 'orders')).toEqual({
      mode: 'strong',
      replicaRegions: ['us-east-2'],
      witnessRegion: 'us-west-2',
    });
    expect(familyReplication(config.replication, 'stock')).toBeUndefined();
  });

  it('reads the JSON text -c passes', () => {
    const config = loadConfig(
      from({
        'conflux:region': 'eu-west-1',
        'conflux:replication': '{"replicaRegions":["eu-west-2"],"families":{"readModels":"eventual"}}',
      }),
    );
    expect(config.replication.families).toEqual({
      readModels: 'eventual',
      orders: 'single-region',
      stock: 'single-region',
    });
  });

  it.each([
    [
      { families: { stock: 'strong' }, replicaRegions: ['us-east-2', 'us-west-2'] },
      /stock cannot be "strong".*TransactWriteItems.*no transactions/,
    ],
    [
      { families: { readModels: 'eventual' } },
      /replicaRegions is not valid: readModels replicate, so name at least one replica Region/,
    ],
    [
      { replicaRegions: ['us-east-1'], families: { readModels: 'eventual' } },
      /us-east-1 is the stack's own Region/,
    ],
    [{ replicaRegions: ['us-east-2'], witnessRegion: 'us-east-2' }, /a Region is named twice/],
    [
      { replicaRegions: ['mars'] },
      /conflux:replication\.replicaRegions\.0 is not valid: must be an AWS region name/,
    ],
    [{ families: { orders: 'sync' } }, /conflux:replication\.families\.orders is not valid/],
    [{ replicas: ['us-east-2'] }, /conflux:replication is not valid: .*replicas/],
    ['{not json', /conflux:replication is not valid: its text is not JSON/],
  ])('refuses %j naming the rule', (raw, message) => {
    expect(problems(raw).join('\n')).toMatch(message);
  });

  it('needs conflux:region once anything replicates', () => {
    expect(problems({ replicaRegions: ['us-east-2'], families: { readModels: 'eventual' } }, null)).toEqual([
      'conflux:replication is not valid without conflux:region: global table replicas need the stack in a concrete Region.',
    ]);
    // Replica Regions with every family single-Region need no home Region.
    expect(problems({ replicaRegions: ['us-east-2'] }, null)).toEqual([]);
  });

  it('fails the whole configuration with every problem listed', () => {
    const load = () =>
      loadConfig(from({ 'conflux:replication': { families: { stock: 'strong', readModels: 'eventual' } } }));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/stock cannot be "strong"[\s\S]*replicaRegions[\s\S]*without conflux:region/);
  });
});
