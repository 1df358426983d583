import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EtlTransformEvent, EtlWindow } from '@conflux/constructs/contracts';
import { InvalidMessageError } from '../../src/errors.js';
import {
  cleanseRows,
  createExtractHandler,
  createLoadHandler,
  createTransformHandler,
  getJsonLines,
  normaliseEmail,
  trimText,
  type QuarantineLine,
} from '../../src/lake/index.js';
import { dayWindow, extractPayload, stepBase } from './factories.js';
import { startLocalS3, type LocalS3 } from './s3.js';

type Customer = { id: string; name: string; email: string; updatedAt: string };

let local: LocalS3;
beforeAll(async () => {
  local = await startLocalS3();
});
afterAll(async () => {
  await local.stop();
});

const customers: Customer[] = [
  { id: 'c-2', name: '  Bo  Ek ', email: 'BO@example.com', updatedAt: '2026-12-02T10:00:00.000Z' },
  { id: 'c-1', name: 'Ann', email: 'ann@example', updatedAt: '2026-12-02T11:00:00.000Z' },
  { id: 'c-3', name: 'Cy', email: 'cy@example.com', updatedAt: '2026-12-02T09:00:00.000Z' },
  { id: 'c-2', name: 'Bo Ek', email: 'bo@example.com', updatedAt: '2026-12-02T08:00:00.000Z' },
];

const rule = (row: Customer) => {
  const email = normaliseEmail(row.email);
  const name = trimText(row.name);
  const reasons = [...(email.ok ? [] : [email.reason]), ...(name === '' ? ['empty name'] : [])];
  return email.ok && reasons.length === 0
    ? ({ ok: true, row: { ...row, name, email: email.value } } as const)
    : ({ ok: false, reasons } as const);
};

describe('ETL step handlers (S3 on fauxqs)', () => {
  it('extract reads the watermark from the raw GetItem output and stages the rows', async () => {
    // GIVEN a stored watermark and an extract that streams two rows
    const windows: EtlWindow[] = [];
    const extract = createExtractHandler<Customer>({
      s3: local.s3,
      extract: async function* (window) {
        windows.push(window);
        for (const row of customers.slice(0, 2)) yield await Promise.resolve(row);
      },
    });
    // WHEN the step runs with the state machine's payload
    const result = await extract(extractPayload(local.bucket, '2026-12-02T01:00:00.000Z'));
    // THEN the window runs from the watermark to the start minus the settle time, and the rows are staged
    expect(windows).toEqual([result.window]);
    expect(result.window.from).toBe('2026-12-02T01:00:00.000Z');
    expect(result.window.to).toBe('2026-12-03T01:59:00.000Z');
    expect(result).toMatchObject({
      rows: 2,
      staged: {
        bucket: local.bucket,
        key: `staging/customers-nightly/${result.window.id}/extracted.json.gz`,
      },
    });
    expect(await getJsonLines(local.s3, result.staged)).toEqual(customers.slice(0, 2));
  });

  it('extract starts a first run at the epoch, and takes the contract form (watermark) too', async () => {
    // GIVEN an extract returning an array
    const extract = createExtractHandler<Customer>({ s3: local.s3, extract: () => Promise.resolve([]) });
    // WHEN it runs without a stored item, and with the contract's watermark field
    const first = await extract(extractPayload(local.bucket));
    const direct = await extract({
      ...stepBase(local.bucket),
      input: {},
      watermark: '2026-12-01T00:00:00.000Z',
    });
    // THEN the windows start at the epoch and at the given watermark
    expect(first.window.from).toBe('1970-01-01T00:00:00.000Z');
    expect(direct.window.from).toBe('2026-12-01T00:00:00.000Z');
    expect(first.rows).toBe(0);
  });

  it('extract of an empty window reads and writes nothing', async () => {
    // GIVEN a watermark later than the start minus the settle time
    let called = false;
    const extract = createExtractHandler<Customer>({
      s3: local.s3,
      extract: () => {
        called = true;
        return Promise.resolve([]);
      },
    });
    // WHEN the step runs
    const result = await extract(extractPayload(local.bucket, '2026-12-03T01:59:30.000Z'));
    // THEN the window is empty, the source is not read and nothing is staged
    expect(result.window.to).toBe(result.window.from);
    expect(called).toBe(false);
    expect(await local.keys(`staging/customers-nightly/${result.window.id}/`)).toEqual([]);
  });

  it('fails a bad event with a named error naming each bad field', async () => {
    // GIVEN a payload with a bad pipeline name and a bad since
    const extract = createExtractHandler<Customer>({ s3: local.s3, extract: () => Promise.resolve([]) });
    const bad = {
      ...extractPayload(local.bucket, undefined, { since: 'last tuesday' }),
      pipeline: 'Bad Name',
    };
    // WHEN / THEN
    await expect(extract(bad)).rejects.toThrow(InvalidMessageError);
    await expect(extract(bad)).rejects.toThrow(
      /pipeline: must be a pipeline name.*input\.since: must be an ISO 8601 instant/,
    );
    const load = createLoadHandler({ s3: local.s3 });
    await expect(load({ ...stepBase(local.bucket), window: dayWindow })).rejects.toThrow(/staged/);
    const staged = { bucket: local.bucket, key: 'staging/x' };
    await expect(
      load({ ...stepBase(local.bucket), window: { ...dayWindow, id: 'other' }, staged }),
    ).rejects.toThrow(/window\.id: must be <from>_<to>/);
  });

  it('runs extract → transform → load, quarantining rejects and loading the rest sorted', async () => {
    // GIVEN the three steps over a day window
    const extract = createExtractHandler<Customer>({
      s3: local.s3,
      extract: () => Promise.resolve(customers),
    });
    const transform = createTransformHandler<Customer>({
      s3: local.s3,
      transform: (rows) => cleanseRows(rows, rule, { keyOf: (r) => r.id, versionOf: (r) => r.updatedAt }),
    });
    const load = createLoadHandler<Customer>({ s3: local.s3, keyOf: (r) => r.id });
    const input = { since: dayWindow.from, until: dayWindow.to };
    // WHEN they run as the state machine chains them
    const extracted = await extract(extractPayload(local.bucket, undefined, input));
    const event: EtlTransformEvent = {
      ...stepBase(local.bucket),
      window: extracted.window,
      staged: extracted.staged,
    };
    const transformed = await transform(event);
    const loaded = await load({ ...event, staged: transformed.staged });
    // THEN the counts add up, the rejected row is quarantined with its reasons and the loaded ones are curated
    expect(extracted.window).toEqual(dayWindow);
    const quarantined = {
      bucket: local.bucket,
      key: `quarantine/customers-nightly/dt=2026-12-03/${dayWindow.id}.json.gz`,
    };
    expect(transformed).toEqual({
      staged: { bucket: local.bucket, key: `staging/customers-nightly/${dayWindow.id}/transformed.json.gz` },
      accepted: 2,
      rejected: 1,
      duplicates: 1,
      quarantined,
    });
    expect(await getJsonLines<QuarantineLine<Customer>>(local.s3, quarantined)).toEqual([
      {
        row: customers[1],
        reasons: ['e-mail domain needs a dot (domain.tld)'],
        window: dayWindow,
        pipeline: 'customers-nightly',
      },
    ]);
    const curated = {
      bucket: local.bucket,
      key: `curated/customers-nightly/dt=2026-12-03/${dayWindow.id}.json.gz`,
    };
    expect(loaded).toEqual({ loaded: 2, written: [curated], unchanged: [] });
    expect(await getJsonLines(local.s3, curated)).toEqual([
      { email: 'bo@example.com', id: 'c-2', name: 'Bo Ek', updatedAt: '2026-12-02T10:00:00.000Z' },
      { email: 'cy@example.com', id: 'c-3', name: 'Cy', updatedAt: '2026-12-02T09:00:00.000Z' },
    ]);

    // WHEN the same window runs again, with the source rows in another order
    const before = await local.etags();
    const reExtract = createExtractHandler<Customer>({
      s3: local.s3,
      extract: () => Promise.resolve([...customers].reverse()),
    });
    const again = await reExtract(extractPayload(local.bucket, undefined, input));
    const reTransformed = await transform({ ...event, staged: again.staged });
    const reLoaded = await load({ ...event, staged: reTransformed.staged });
    // THEN the curated and quarantine objects are untouched (same ETags)
    expect(reLoaded).toEqual({ loaded: 2, written: [], unchanged: [curated] });
    const after = await local.etags();
    expect(after[curated.key]).toBe(before[curated.key]);
    expect(after[quarantined.key]).toBe(before[quarantined.key]);
  });

  it('writes no quarantine object when nothing is rejected, and loads a window with no rows as an empty object', async () => {
    // GIVEN a window whose extract finds no rows
    const window: EtlWindow = {
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-02T00:00:00.000Z',
      id: '20261101T000000000Z_20261102T000000000Z',
    };
    const extract = createExtractHandler<Customer>({ s3: local.s3, extract: () => Promise.resolve([]) });
    const transform = createTransformHandler<Customer>({
      s3: local.s3,
      transform: (rows) => cleanseRows(rows, rule),
    });
    const load = createLoadHandler({ s3: local.s3 });
    // WHEN the steps run
    const extracted = await extract(
      extractPayload(local.bucket, undefined, { since: window.from, until: window.to }),
    );
    const transformed = await transform({ ...stepBase(local.bucket), window, staged: extracted.staged });
    const loaded = await load({ ...stepBase(local.bucket), window, staged: transformed.staged });
    // THEN there is no quarantine, and the curated object exists with no rows
    expect(transformed).not.toHaveProperty('quarantined');
    expect(await local.keys('quarantine/customers-nightly/dt=2026-11-02/')).toEqual([]);
    expect(loaded.loaded).toBe(0);
    expect(await getJsonLines(local.s3, loaded.written[0] ?? { bucket: '', key: '' })).toEqual([]);
  });

  it('empties the quarantine object of an earlier run of the window when a re-run rejects nothing', async () => {
    // GIVEN a window whose first run quarantined a row
    const window: EtlWindow = {
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-10-02T00:00:00.000Z',
      id: '20261001T000000000Z_20261002T000000000Z',
    };
    const bad = { id: 'c-9', name: 'Di', email: 'di@example', updatedAt: '2026-10-01T10:00:00.000Z' };
    let source: Customer[] = [bad];
    const extract = createExtractHandler<Customer>({ s3: local.s3, extract: () => Promise.resolve(source) });
    const transform = createTransformHandler<Customer>({
      s3: local.s3,
      transform: (rows) => cleanseRows(rows, rule),
    });
    const run = async () => {
      const extracted = await extract(
        extractPayload(local.bucket, undefined, { since: window.from, until: window.to }),
      );
      return transform({ ...stepBase(local.bucket), window, staged: extracted.staged });
    };
    const first = await run();
    const key = first.quarantined?.key ?? '';
    expect(await getJsonLines(local.s3, { bucket: local.bucket, key })).toHaveLength(1);
    // WHEN the row is fixed at the source and the window runs again
    source = [{ ...bad, email: 'di@example.com' }];
    const again = await run();
    // THEN nothing is rejected, and the earlier quarantine object no longer lists the row
    expect(again).toMatchObject({ accepted: 1, rejected: 0 });
    expect(await getJsonLines(local.s3, { bucket: local.bucket, key })).toEqual([]);
  });

  it('transform and load of an empty window write nothing', async () => {
    // GIVEN an empty window (to = from)
    const window: EtlWindow = {
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-10-01T00:00:00.000Z',
      id: '20261001T000000000Z_20261001T000000000Z',
    };
    const staged = { bucket: local.bucket, key: `staging/customers-nightly/${window.id}/extracted.json.gz` };
    const transform = createTransformHandler<Customer>({
      s3: local.s3,
      transform: (rows) => cleanseRows(rows, rule),
    });
    const load = createLoadHandler({ s3: local.s3 });
    // WHEN they run (the staged object does not exist)
    const transformed = await transform({ ...stepBase(local.bucket), window, staged });
    const loaded = await load({ ...stepBase(local.bucket), window, staged: transformed.staged });
    // THEN they answer zero and the lake has no object of that window
    expect(transformed).toMatchObject({ accepted: 0, rejected: 0, duplicates: 0 });
    expect(loaded).toEqual({ loaded: 0, written: [], unchanged: [] });
    expect((await local.keys()).filter((k) => k.includes(window.id))).toEqual([]);
  });
});

describe('lakeS3', () => {
  it('uses path-style addressing when an S3 endpoint is set', async () => {
    // GIVEN an S3 endpoint in the environment, as the offline runtime sets it
    vi.resetModules();
    vi.stubEnv('AWS_ENDPOINT_URL_S3', 'http://127.0.0.1:4566');
    try {
      // WHEN the module loads
      const { lakeS3 } = await import('../../src/lake/objects.js');
      // THEN its client is path-style
      expect(lakeS3.config.forcePathStyle).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
