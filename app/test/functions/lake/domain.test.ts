import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cleanseCustomer,
  cleanseCustomers,
  CustomerExtractError,
  curatedKeyOf,
  inWindow,
  MAX_NAME_LENGTH,
  scanSegments,
} from '../../../functions/lake/domain';
import { customerItem, window } from './fixtures';

const night = window('2026-12-01T02:00:00.000Z', '2026-12-02T02:00:00.000Z');

describe('the window a customer belongs to', () => {
  it('holds updatedAt after from and up to to, inclusive', () => {
    // GIVEN items changed at the bounds and inside
    const at = (updatedAt: string) => inWindow(customerItem({ updatedAt }), night);
    // WHEN / THEN from is excluded, to is included
    expect(at('2026-12-01T02:00:00.000Z')).toBe(false);
    expect(at('2026-12-01T02:00:00.001Z')).toBe(true);
    expect(at('2026-12-02T02:00:00.000Z')).toBe(true);
    expect(at('2026-12-02T02:00:00.001Z')).toBe(false);
  });

  it('holds no item without a well-formed updatedAt', () => {
    // GIVEN items whose change time is missing, local, or not text
    const items = [
      customerItem({ updatedAt: undefined }),
      customerItem({ updatedAt: '2026-12-01T12:00:00+01:00' }),
      customerItem({ updatedAt: 1_796_000_000_000 }),
    ];
    // WHEN / THEN none is in the window
    expect(items.map((i) => inWindow(i, night))).toEqual([false, false, false]);
  });
});

describe('cleansing a customer', () => {
  it('trims the name, lower-cases the e-mail and normalises the phone to E.164', () => {
    // GIVEN a customer typed carelessly
    const item = customerItem({
      name: '  Ada   Lovelace ',
      email: '  Ada.Lovelace@Example.COM ',
      phone: '0044 (20) 7946-0958',
    });
    // WHEN it is cleansed
    const outcome = cleanseCustomer(item);
    // THEN the row is kept, cleansed
    expect(outcome).toEqual({
      ok: true,
      row: {
        customerId: '0b7f9a52-3c1e-4d8a-9f00-000000000001',
        name: 'Ada Lovelace',
        email: 'ada.lovelace@example.com',
        phone: '+442079460958',
        createdAt: '2026-12-01T09:00:00.000Z',
        updatedAt: '2026-12-02T10:00:00.000Z',
      },
    });
  });

  it('keeps a customer without a phone, or with an empty one, with phone null', () => {
    // GIVEN customers with no phone and a blank one
    const none = cleanseCustomer(customerItem({ phone: undefined }));
    const blank = cleanseCustomer(customerItem({ phone: '  ' }));
    // THEN both are kept without a phone
    expect(none.ok && none.row.phone).toBeNull();
    expect(blank.ok && blank.row.phone).toBeNull();
  });

  it('rejects a bad e-mail, a bad phone and an empty name, giving every reason at once', () => {
    // GIVEN a row the API would have refused (written straight into the table)
    const outcome = cleanseCustomer(customerItem({ name: '   ', email: 'ada@@example', phone: '12' }));
    // THEN it is rejected with one reason per field
    expect(outcome.ok).toBe(false);
    const reasons = outcome.ok ? [] : outcome.reasons;
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toBe('name: empty');
    expect(reasons[1]).toMatch(/^email: ./);
    expect(reasons[2]).toMatch(/^phone: ./);
  });

  it('rejects a row without its key, an e-mail or a change time', () => {
    // GIVEN an item with only a name
    const outcome = cleanseCustomer({ name: 'Ada' });
    // THEN each missing field is a reason
    expect(outcome).toEqual({
      ok: false,
      reasons: ['customerId: missing', 'updatedAt: not an ISO 8601 UTC instant', 'email: missing'],
    });
  });

  it(`rejects a name longer than ${MAX_NAME_LENGTH} characters or holding control characters`, () => {
    const long = cleanseCustomer(customerItem({ name: 'a'.repeat(MAX_NAME_LENGTH + 1) }));
    const control = cleanseCustomer(customerItem({ name: 'Ada\u0007' }));
    expect(long.ok ? [] : long.reasons).toEqual([`name: longer than ${MAX_NAME_LENGTH} characters`]);
    expect(control.ok ? [] : control.reasons).toEqual(['name: holds control characters']);
  });

  it('a cleansed row is cleansed already: cleansing it again changes nothing', () => {
    fc.assert(
      fc.property(
        fc.record({
          name: fc.string({ minLength: 1, maxLength: 40 }),
          local: fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/),
          domain: fc.stringMatching(/^[A-Za-z0-9]{1,10}\.[A-Za-z]{2,6}$/),
          phone: fc.option(fc.stringMatching(/^\+[1-9][0-9]{6,14}$/), { nil: undefined }),
        }),
        ({ name, local, domain, phone }) => {
          // GIVEN any customer the rule accepts
          const first = cleanseCustomer(customerItem({ name, email: ` ${local}@${domain} `, phone }));
          fc.pre(first.ok);
          // WHEN its row is cleansed again THEN it is the same row
          expect(cleanseCustomer({ ...first.row })).toEqual(first);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('cleansing a window of customers', () => {
  it('drops duplicates of a customer, keeping the latest change, and splits accepted from rejected', () => {
    // GIVEN two versions of one customer, a good customer and a bad one
    const id = (n: number) => `0b7f9a52-3c1e-4d8a-9f00-00000000000${n}`;
    const rows = [
      customerItem({ customerId: id(1), email: 'old@example.com', updatedAt: '2026-12-01T10:00:00.000Z' }),
      customerItem({ customerId: id(2), email: 'grace@example.com' }),
      customerItem({ customerId: id(1), email: 'new@example.com', updatedAt: '2026-12-01T11:00:00.000Z' }),
      customerItem({ customerId: id(3), email: 'not an address' }),
    ];
    // WHEN the window is cleansed
    const result = cleanseCustomers(rows);
    // THEN the latest version is kept, the bad row is rejected with its reason, one duplicate counted
    expect(result.accepted.map((r) => [r.customerId, r.email]).sort()).toEqual([
      [id(1), 'new@example.com'],
      [id(2), 'grace@example.com'],
    ]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.row.customerId).toBe(id(3));
    expect(result.rejected[0]?.reasons[0]).toMatch(/^email: /);
    expect(result.duplicates).toBe(1);
  });

  it('an empty window cleanses to nothing', () => {
    expect(cleanseCustomers([])).toEqual({ accepted: [], rejected: [], duplicates: 0 });
  });

  it('curates by customer id', () => {
    const outcome = cleanseCustomer(customerItem());
    expect(outcome.ok && curatedKeyOf(outcome.row)).toBe('0b7f9a52-3c1e-4d8a-9f00-000000000001');
  });
});

describe('the scan segment setting', () => {
  it('defaults to 4 and takes 1 to 64', () => {
    expect(scanSegments(undefined)).toBe(4);
    expect(scanSegments('')).toBe(4);
    expect(scanSegments('1')).toBe(1);
    expect(scanSegments('64')).toBe(64);
  });

  it('fails with the value received outside 1 to 64 or when not a whole number', () => {
    for (const raw of ['0', '65', '2.5', 'four']) {
      expect(() => scanSegments(raw)).toThrow(CustomerExtractError);
      expect(() => scanSegments(raw)).toThrow(`received "${raw}"`);
    }
  });
});
