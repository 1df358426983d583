import { describe, expect, it } from 'vitest';
import { createSchemaCatalog, eventIdFor } from '../src/index.js';

const v1 = {
  type: 'record',
  name: 'ThingHappened',
  fields: [{ name: 'id', type: 'string' }],
};
const v2 = {
  type: 'record',
  name: 'ThingHappened',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'colour', type: 'string', default: 'blue' },
  ],
};

describe('createSchemaCatalog', () => {
  const catalog = createSchemaCatalog({ ThingHappened: { 1: v1, 2: v2 } });

  it('names each bad field, and nothing for valid data', () => {
    expect(catalog.validate('ThingHappened', 2, { id: 'a', colour: 'red' })).toEqual([]);
    expect(catalog.validate('ThingHappened', 2, { id: 7, colour: 'red' })).toEqual([
      'id: 7 is not a valid string',
    ]);
  });

  it('refuses a type or version that is not registered', () => {
    expect(catalog.validate('ThingHappened', 3, { id: 'a' })).toEqual([
      'no schema is registered for ThingHappened v3',
    ]);
    expect(() => catalog.readAs('Other', 1, {}, 1)).toThrow(/no schema is registered for Other/);
  });

  it('reads v1 data as a v2 reader expects it (defaults filled) and v2 data as v1 (new fields dropped)', () => {
    expect(catalog.readAs('ThingHappened', 1, { id: 'a' }, 2)).toEqual({ id: 'a', colour: 'blue' });
    expect(catalog.readAs('ThingHappened', 2, { id: 'a', colour: 'red' }, 1)).toEqual({ id: 'a' });
  });
});

describe('eventIdFor', () => {
  it('is one UUID v5-shaped id per set of facts', () => {
    const id = eventIdFor('OrderCancelled', '42');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdFor('OrderCancelled', '42')).toBe(id);
    expect(eventIdFor('OrderCancelled', '43')).not.toBe(id);
  });
});
