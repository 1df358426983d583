import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compactInstant,
  curatedKey,
  EPOCH,
  inWindow,
  InvalidInstantError,
  isEmptyWindow,
  planWindow,
  quarantineKey,
  stagingKey,
} from '../../src/lake/index.js';

const startedAt = '2026-12-03T02:00:30.250Z';

describe('planWindow', () => {
  it('starts a first run at the epoch and ends it the settle time before the start', () => {
    // GIVEN no stored watermark and a one-minute settle time
    // WHEN the window is planned
    const window = planWindow({ watermark: null, startedAt, settleMs: 60_000 });
    // THEN it runs from the epoch to a minute before the execution started
    expect(window).toEqual({
      from: EPOCH,
      to: '2026-12-03T01:59:30.250Z',
      id: '19700101T000000000Z_20261203T015930250Z',
    });
  });

  it('starts from the stored watermark', () => {
    // GIVEN a stored watermark
    // WHEN the window is planned
    const window = planWindow({ watermark: '2026-12-02T01:59:00.000Z', startedAt, settleMs: 0 });
    // THEN the window starts there
    expect(window.from).toBe('2026-12-02T01:59:00.000Z');
    expect(window.to).toBe(startedAt);
  });

  it('lets since override the watermark and until cap the end', () => {
    // GIVEN a manual run with since and until
    // WHEN the window is planned
    const window = planWindow({
      since: '2026-11-01T00:00:00Z',
      until: '2026-11-02T00:00:00+01:00',
      watermark: '2026-12-02T00:00:00.000Z',
      startedAt,
      settleMs: 60_000,
    });
    // THEN both bounds come from the input, normalised to UTC with milliseconds
    expect(window).toEqual({
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-01T23:00:00.000Z',
      id: '20261101T000000000Z_20261101T230000000Z',
    });
  });

  it('never ends a window later than the start minus the settle time, whatever until says', () => {
    // GIVEN an until in the future
    // WHEN the window is planned
    const window = planWindow({
      until: '2030-01-01T00:00:00.000Z',
      watermark: null,
      startedAt,
      settleMs: 1000,
    });
    // THEN the end is the settle-time bound
    expect(window.to).toBe('2026-12-03T02:00:29.250Z');
  });

  it('gives an empty window ending at the watermark when the end is not after the start', () => {
    // GIVEN a watermark past the settle-time bound (a run right after the last one)
    // WHEN the window is planned
    const window = planWindow({ watermark: '2026-12-03T02:00:00.000Z', startedAt, settleMs: 60_000 });
    // THEN the window is empty at the watermark, so AdvanceWatermark cannot move it
    expect(window.to).toBe(window.from);
    expect(window.from).toBe('2026-12-03T02:00:00.000Z');
    expect(isEmptyWindow(window)).toBe(true);
  });

  it('keeps an empty window from moving the watermark even when since is past it', () => {
    // GIVEN a manual since in the future, with and without a stored watermark
    const since = '2026-12-05T00:00:00.000Z';
    // WHEN the windows are planned
    const stored = planWindow({ since, watermark: '2026-12-02T00:00:00.000Z', startedAt, settleMs: 0 });
    const none = planWindow({ since, watermark: null, startedAt, settleMs: 0 });
    // THEN both are empty and end no later than what is stored (the epoch when nothing is)
    expect(isEmptyWindow(stored) && isEmptyWindow(none)).toBe(true);
    expect(stored.to).toBe('2026-12-02T00:00:00.000Z');
    expect(none.to).toBe(EPOCH);
  });

  it('ends a window at the settle-time or until bound, and an empty one at the watermark (property)', () => {
    const ms = fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-01-01') });
    fc.assert(
      fc.property(
        fc.option(ms, { nil: undefined }),
        fc.option(ms, { nil: undefined }),
        fc.option(ms, { nil: null }),
        ms,
        fc.integer({ min: 0, max: 86_400_000 }),
        (since, until, watermark, started, settleMs) => {
          // GIVEN any bounds / WHEN a window is planned
          const iso = (n: number) => new Date(n).toISOString();
          const window = planWindow({
            since: since === undefined ? undefined : iso(since),
            until: until === undefined ? undefined : iso(until),
            watermark: watermark === null ? null : iso(watermark),
            startedAt: iso(started),
            settleMs,
          });
          // THEN it is empty exactly when no instant fits, ending at the stored watermark; else it ends at the bound
          const to = Date.parse(window.to);
          const from = Date.parse(window.from);
          const bound = Math.min(started - settleMs, until ?? Infinity);
          expect(isEmptyWindow(window)).toBe(bound <= from);
          if (isEmptyWindow(window)) expect(to).toBe(Math.min(from, watermark ?? 0));
          else expect(to).toBe(bound);
        },
      ),
    );
  });

  it('refuses an instant that is not ISO 8601', () => {
    // GIVEN a bad since
    // WHEN / THEN planning fails with a named error naming the value
    expect(() => planWindow({ since: 'yesterday', watermark: null, startedAt, settleMs: 0 })).toThrow(
      InvalidInstantError,
    );
    expect(() => planWindow({ since: 'yesterday', watermark: null, startedAt, settleMs: 0 })).toThrow(
      /"yesterday"/,
    );
  });

  it('refuses a negative settle time', () => {
    // GIVEN / WHEN / THEN
    expect(() => planWindow({ watermark: null, startedAt, settleMs: -1 })).toThrow(InvalidInstantError);
  });
});

describe('window membership', () => {
  const window = planWindow({
    since: '2026-12-02T00:00:00.000Z',
    until: '2026-12-03T00:00:00.000Z',
    watermark: null,
    startedAt,
    settleMs: 0,
  });

  it('excludes from and includes to', () => {
    // GIVEN the window's bounds and instants around them
    // WHEN / THEN from is out, to is in, beyond to is out
    expect(inWindow(window, '2026-12-02T00:00:00.000Z')).toBe(false);
    expect(inWindow(window, '2026-12-02T00:00:00.001Z')).toBe(true);
    expect(inWindow(window, '2026-12-03T00:00:00.000Z')).toBe(true);
    expect(inWindow(window, '2026-12-03T00:00:00.001Z')).toBe(false);
  });
});

describe('lake keys', () => {
  const window = planWindow({
    since: '2026-12-02T01:00:00.000Z',
    until: '2026-12-03T01:00:00.000Z',
    watermark: null,
    startedAt,
    settleMs: 0,
  });

  it('compacts an instant to a key segment', () => {
    // GIVEN / WHEN / THEN
    expect(compactInstant('2026-12-02T01:00:00Z')).toBe('20261202T010000000Z');
  });

  it('names the staging, quarantine and curated objects per the layout', () => {
    // GIVEN a window of the customers-nightly pipeline
    // WHEN the keys are made
    // THEN they follow the lake layout, the day being the one of the window's end
    expect(stagingKey('customers-nightly', window, 'extracted')).toBe(
      'staging/customers-nightly/20261202T010000000Z_20261203T010000000Z/extracted.json.gz',
    );
    expect(stagingKey('customers-nightly', window, 'transformed')).toBe(
      'staging/customers-nightly/20261202T010000000Z_20261203T010000000Z/transformed.json.gz',
    );
    expect(quarantineKey('customers-nightly', window)).toBe(
      'quarantine/customers-nightly/dt=2026-12-03/20261202T010000000Z_20261203T010000000Z.json.gz',
    );
    expect(curatedKey('customers-nightly', window)).toBe(
      'curated/customers-nightly/dt=2026-12-03/20261202T010000000Z_20261203T010000000Z.json.gz',
    );
  });
});
