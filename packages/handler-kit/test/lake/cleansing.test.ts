import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cleanseRows,
  dedupeLatest,
  E164,
  normaliseEmail,
  normalisePhone,
  trimText,
} from '../../src/lake/index.js';

describe('trimText', () => {
  it('trims, collapses whitespace runs and composes to NFC', () => {
    // GIVEN text with surrounding, inner and odd whitespace and a decomposed é
    // WHEN trimmed
    // THEN one space separates the words and é is one code point
    expect(trimText('  Ann \t\n  Lee\u00a0 ')).toBe('Ann Lee');
    expect(trimText('Rene\u0301')).toBe('Ren\u00e9');
    expect(trimText('   ')).toBe('');
  });

  it('is idempotent and leaves no whitespace at the ends (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        // GIVEN any text / WHEN trimmed twice
        const once = trimText(text);
        // THEN the second trim changes nothing and the ends are not whitespace
        expect(trimText(once)).toBe(once);
        expect(once).toBe(once.trim());
        expect(once).not.toMatch(/\s\s/u);
      }),
    );
  });
});

describe('normaliseEmail', () => {
  it('trims and lower-cases a good address', () => {
    // GIVEN / WHEN / THEN
    expect(normaliseEmail('  Ann.Lee+news@Example.CO.uk ')).toEqual({
      ok: true,
      value: 'ann.lee+news@example.co.uk',
    });
    expect(normaliseEmail("o'brien@xn--bcher-kva.example")).toEqual({
      ok: true,
      value: "o'brien@xn--bcher-kva.example",
    });
  });

  it.each([
    ['', 'empty e-mail address'],
    ['ann lee@example.com', 'e-mail address contains whitespace'],
    ['ann@@example.com', 'e-mail address must contain exactly one @'],
    ['ann@x@example.com', 'e-mail address must contain exactly one @'],
    ['annexample.com', 'e-mail address must contain exactly one @'],
    ['@example.com', 'e-mail address has an empty local part'],
    ['ann@', 'e-mail address has an empty domain'],
    ['.ann@example.com', 'e-mail local part has a character or dot where none may be'],
    ['ann..lee@example.com', 'e-mail local part has a character or dot where none may be'],
    ['ann.@example.com', 'e-mail local part has a character or dot where none may be'],
    ['"ann"@example.com', 'e-mail local part has a character or dot where none may be'],
    ['anné@example.com', 'e-mail local part has a character or dot where none may be'],
    ['ann@localhost', 'e-mail domain needs a dot (domain.tld)'],
    ['ann@-example.com', 'e-mail domain has a bad label'],
    ['ann@example-.com', 'e-mail domain has a bad label'],
    ['ann@example..com', 'e-mail domain has a bad label'],
    ['ann@example.com.', 'e-mail domain has a bad label'],
    ['ann@exa_mple.com', 'e-mail domain has a bad label'],
    ['ann@[192.0.2.1]', 'e-mail domain has a bad label'],
    ['ann@example.c', 'e-mail domain has a bad top-level label'],
    ['ann@example.123', 'e-mail domain has a bad top-level label'],
    [`${'a'.repeat(65)}@example.com`, 'e-mail local part is longer than 64 characters'],
    [
      `ann@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`,
      'e-mail address is longer than 254 characters',
    ],
    [`ann@${'a'.repeat(64)}.com`, 'e-mail domain has a bad label'],
  ])('refuses %j: %s', (input, reason) => {
    // GIVEN a bad address / WHEN normalised / THEN it is refused with the reason
    expect(normaliseEmail(input)).toEqual({ ok: false, reason });
  });

  it('accepts exactly what it returns, and returns a fixed point (property)', () => {
    const atom = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,10}$/);
    const label = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,8}[A-Za-z0-9])?$/);
    const address = fc
      .tuple(
        fc.array(atom, { minLength: 1, maxLength: 3 }),
        fc.array(label, { minLength: 1, maxLength: 3 }),
        fc.stringMatching(/^[A-Za-z]{2,6}$/),
      )
      .map(([local, labels, tld]) => `${local.join('.')}@${[...labels, tld].join('.')}`);
    fc.assert(
      fc.property(address, fc.stringMatching(/^[ \t]{0,3}$/), (email, pad) => {
        // GIVEN a well-formed address with some padding
        // WHEN normalised
        const result = normaliseEmail(`${pad}${email}${pad}`);
        // THEN it is accepted as the lower-cased address, and normalising that again changes nothing
        expect(result).toEqual({ ok: true, value: email.toLowerCase() });
        expect(normaliseEmail(email.toLowerCase())).toEqual(result);
      }),
    );
  });

  it('never accepts an address with two @ or whitespace inside (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (a, b, c) => {
        // GIVEN any text holding two @
        // WHEN normalised
        // THEN it is refused
        expect(normaliseEmail(`${a}@${b}@${c}`).ok).toBe(false);
        expect(normaliseEmail(`a${a}b c${b}@example.com`).ok).toBe(false);
      }),
    );
  });
});

describe('normalisePhone', () => {
  it.each([
    ['+44 20 7946 0958', '+442079460958'],
    ['0044 (20) 7946-0958', '+442079460958'],
    ['+44 (0)20 7946 0958', '+442079460958'],
    ['+1.415.555.0100', '+14155550100'],
    ['\t+49 30 1234567 ', '+49301234567'],
  ])('normalises %j to %s', (input, value) => {
    // GIVEN a number in some notation / WHEN normalised / THEN it is E.164
    expect(normalisePhone(input)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'empty phone number'],
    [' - ', 'empty phone number'],
    ['020 7946 0958', 'phone number has no country code (+… or 00…)'],
    ['+0 20 7946 0958', 'phone number is not E.164 (+ and 7–15 digits, no leading 0)'],
    ['+44 20 7946 095x', 'phone number is not E.164 (+ and 7–15 digits, no leading 0)'],
    ['+1234567890123456', 'phone number is not E.164 (+ and 7–15 digits, no leading 0)'],
    ['+12345', 'phone number is not E.164 (+ and 7–15 digits, no leading 0)'],
    ['++442079460958', 'phone number is not E.164 (+ and 7–15 digits, no leading 0)'],
  ])('refuses %j: %s', (input, reason) => {
    // GIVEN a bad number / WHEN normalised / THEN it is refused with the reason
    expect(normalisePhone(input)).toEqual({ ok: false, reason });
  });

  it('accepts only E.164 and is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (text) => {
        // GIVEN any text / WHEN normalised
        const result = normalisePhone(text);
        // THEN an accepted value is E.164 and normalises to itself
        if (result.ok) {
          expect(result.value).toMatch(E164);
          expect(normalisePhone(result.value)).toEqual(result);
        }
      }),
    );
  });
});

describe('dedupeLatest', () => {
  it('keeps the newest version of each key, in key order, and counts the others', () => {
    // GIVEN versions of three customers, out of order
    const rows = [
      { id: 'c-2', v: 1 },
      { id: 'c-1', v: 3 },
      { id: 'c-1', v: 1 },
      { id: 'c-3', v: 1 },
      { id: 'c-2', v: 2 },
    ];
    // WHEN deduplicated by id and version
    const { rows: kept, duplicates } = dedupeLatest(
      rows,
      (r) => r.id,
      (r) => r.v,
    );
    // THEN one row per id, the newest, sorted by id
    expect(kept).toEqual([
      { id: 'c-1', v: 3 },
      { id: 'c-2', v: 2 },
      { id: 'c-3', v: 1 },
    ]);
    expect(duplicates).toBe(2);
  });

  it('orders string versions as text (ISO instants) and keeps the later row on a tie', () => {
    // GIVEN ISO versions with a tie
    const rows = [
      { id: 'a', at: '2026-12-02T10:00:00.000Z', n: 1 },
      { id: 'a', at: '2026-12-02T09:00:00.000Z', n: 2 },
      { id: 'b', at: '2026-12-02T09:00:00.000Z', n: 3 },
      { id: 'b', at: '2026-12-02T09:00:00.000Z', n: 4 },
    ];
    // WHEN deduplicated
    const { rows: kept } = dedupeLatest(
      rows,
      (r) => r.id,
      (r) => r.at,
    );
    // THEN the newest wins, a tie goes to the later row
    expect(kept.map((r) => r.n)).toEqual([1, 4]);
  });

  it('keeps one row per key, the maximum version, whatever the input order (property)', () => {
    const row = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), v: fc.integer({ min: 0, max: 50 }) });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), (rows) => {
        // GIVEN any rows / WHEN deduplicated, and deduplicated again reversed
        const { rows: kept, duplicates } = dedupeLatest(
          rows,
          (r) => r.id,
          (r) => r.v,
        );
        const reversed = dedupeLatest(
          [...rows].reverse(),
          (r) => r.id,
          (r) => r.v,
        );
        // THEN one per key in key order, each the key's maximum version, and the order of the input is irrelevant
        const ids = [...new Set(rows.map((r) => r.id))].sort();
        expect(kept.map((r) => r.id)).toEqual(ids);
        for (const r of kept)
          expect(r.v).toBe(Math.max(...rows.filter((x) => x.id === r.id).map((x) => x.v)));
        expect(duplicates).toBe(rows.length - ids.length);
        expect(reversed.rows.map((r) => r.v)).toEqual(kept.map((r) => r.v));
      }),
    );
  });
});

describe('cleanseRows', () => {
  type Raw = { id: string; email: string; v: number };
  const rule = (row: Raw) => {
    const email = normaliseEmail(row.email);
    return email.ok
      ? ({ ok: true, row: { id: row.id, email: email.value } } as const)
      : ({ ok: false, reasons: [email.reason] } as const);
  };

  it('splits rows into accepted (cleansed) and rejected (with reasons)', () => {
    // GIVEN a good and a bad row
    const rows: Raw[] = [
      { id: 'c-1', email: ' Ann@Example.com', v: 1 },
      { id: 'c-2', email: 'nope', v: 1 },
    ];
    // WHEN cleansed
    const out = cleanseRows(rows, rule);
    // THEN the good one is cleansed, the bad one kept as it was with its reason
    expect(out).toEqual({
      accepted: [{ id: 'c-1', email: 'ann@example.com' }],
      rejected: [
        { row: { id: 'c-2', email: 'nope', v: 1 }, reasons: ['e-mail address must contain exactly one @'] },
      ],
      duplicates: 0,
    });
  });

  it('judges only the newest version when deduplicating, so a bad newest version is not hidden by an older good one', () => {
    // GIVEN a good old version and a bad new version of one customer
    const rows: Raw[] = [
      { id: 'c-1', email: 'ann@example.com', v: 1 },
      { id: 'c-1', email: 'ann@', v: 2 },
    ];
    // WHEN cleansed with deduplication
    const out = cleanseRows(rows, rule, { keyOf: (r) => r.id, versionOf: (r) => r.v });
    // THEN the newest is rejected and the older counted as a duplicate, not loaded
    expect(out.accepted).toEqual([]);
    expect(out.rejected).toEqual([{ row: rows[1], reasons: ['e-mail address has an empty domain'] }]);
    expect(out.duplicates).toBe(1);
  });

  it('lets a throwing rule fail the call', () => {
    // GIVEN a rule with a bug
    // WHEN / THEN the error escapes (a bug is not a bad row)
    expect(() =>
      cleanseRows([{ id: 'x' }], () => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});
