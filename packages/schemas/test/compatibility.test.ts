import { describe, expect, it } from 'vitest';
import { checkVersions, MODES, type RecordSchema } from '../src/compatibility.js';

const record = (fields: RecordSchema['fields']): RecordSchema => ({
  type: 'record',
  name: 'Thing',
  namespace: 'conflux.events',
  fields,
});
const base = [
  { name: 'id', type: 'string' },
  { name: 'count', type: 'int' },
];

/** The playbook's evolution rules: v1 → v2 for each change. */
const CHANGES: Record<string, [RecordSchema, RecordSchema]> = {
  'add an optional field with a default': [
    record(base),
    record([...base, { name: 'note', type: ['null', 'string'], default: null }]),
  ],
  'add a field without a default': [record(base), record([...base, { name: 'currency', type: 'string' }])],
  'remove a field': [record(base), record([{ name: 'id', type: 'string' }])],
  'rename a field': [
    record(base),
    record([
      { name: 'id', type: 'string' },
      { name: 'total', type: 'int' },
    ]),
  ],
  'rename a field with an alias': [
    record(base),
    record([
      { name: 'id', type: 'string' },
      { name: 'total', type: 'int', aliases: ['count'] },
    ]),
  ],
  'promote int to long': [
    record(base),
    record([
      { name: 'id', type: 'string' },
      { name: 'count', type: 'long' },
    ]),
  ],
  'change int to string': [
    record(base),
    record([
      { name: 'id', type: 'string' },
      { name: 'count', type: 'string' },
    ]),
  ],
};

/** Expected verdict (true: compatible) for each change under BACKWARD, FORWARD, FULL; NONE allows all. */
const VERDICTS: Record<string, [boolean, boolean, boolean]> = {
  'add an optional field with a default': [true, true, true],
  'add a field without a default': [false, true, false],
  'remove a field': [true, false, false],
  'rename a field': [false, false, false],
  'rename a field with an alias': [true, false, false],
  'promote int to long': [true, false, false],
  'change int to string': [false, false, false],
};

describe('schema compatibility', () => {
  const cases = Object.entries(CHANGES).flatMap(([change, [v1, v2]]) =>
    MODES.map((mode) => {
      const [backward, forward, full] = VERDICTS[change] ?? [false, false, false];
      const family = mode.replace('_TRANSITIVE', '');
      const expected =
        family === 'NONE' ? true : family === 'BACKWARD' ? backward : family === 'FORWARD' ? forward : full;
      return [change, mode, v1, v2, expected] as const;
    }),
  );

  it.each(cases)('%s under %s', (_change, mode, v1, v2, expected) => {
    const violations = checkVersions('Thing', mode, [
      { version: 1, schema: v1 },
      { version: 2, schema: v2 },
    ]);
    expect(violations.length === 0).toBe(expected);
  });

  it('checks every earlier version under a _TRANSITIVE mode, only the previous one otherwise', () => {
    // v2 adds `note` with a default; v3 drops the default: fine against v2, not against v1.
    const versions = [
      { version: 1, schema: record(base) },
      { version: 2, schema: record([...base, { name: 'note', type: 'string', default: '' }]) },
      { version: 3, schema: record([...base, { name: 'note', type: 'string' }]) },
    ];
    expect(checkVersions('Thing', 'BACKWARD', versions)).toEqual([]);
    const transitive = checkVersions('Thing', 'BACKWARD_TRANSITIVE', versions);
    expect(transitive.map((v) => [v.version, v.against, v.field])).toEqual([[3, 1, 'note']]);
  });

  it('says which field broke which rule and how to fix it', () => {
    const [v1, v2] = CHANGES['add a field without a default'] ?? [record(base), record(base)];
    const [violation] = checkVersions('Thing', 'BACKWARD', [
      { version: 1, schema: v1 },
      { version: 2, schema: v2 },
    ]);
    expect(violation).toMatchObject({ field: 'currency', direction: 'backward', version: 2, against: 1 });
    expect(violation?.rule).toBe(
      'field `currency` added without a default: data written before it cannot be read',
    );
    expect(violation?.fix).toMatch(
      /add "default": "" to `currency`, or make it optional: \{"type": \["null", string\], "default": null\}/,
    );

    const [renamed] = checkVersions('Thing', 'BACKWARD', [
      { version: 1, schema: record(base) },
      { version: 2, schema: CHANGES['rename a field']?.[1] ?? record(base) },
    ]);
    expect(renamed?.rule).toMatch(/field `count` renamed to `total`/);
    expect(renamed?.fix).toMatch(/add "aliases": \["count"\] to `total`/);

    const [retyped] = checkVersions('Thing', 'FULL', [
      { version: 1, schema: record(base) },
      { version: 2, schema: CHANGES['change int to string']?.[1] ?? record(base) },
    ]);
    expect(retyped?.rule).toMatch(
      /field `count` changed type from int to string .* not one of Avro's promotions/,
    );
  });
});
