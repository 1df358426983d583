import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJsonLines } from '@conflux/handler-kit/lake';
import { runNamedQuery } from '../../ops/lake-query';
import { runPipeline } from '../../ops/etl';
import { runReferenceApp, type ReferenceApp } from '../support/reference-app';
import { eventually } from '../../../test/support/runtime';

/**
 * The lake offline: telemetry and customer changes through Firehose into the raw zone and queried through
 * Athena (DuckDB underneath), and the customers-nightly ETL run by hand and by its schedule. Buffering is
 * 0 s (`conflux:lakeBufferSeconds`), and the Firehose buffers are flushed through the runtime's route.
 */
describe('the lake, offline', () => {
  let app: ReferenceApp;
  let s3: S3Client;
  let athena: AthenaClient;
  let sfn: SFNClient;
  let documents: DynamoDBDocumentClient;
  let bucket: string;
  let stateMachineArn: string;
  let endpoints: Readonly<Record<string, string>>;

  beforeAll(async () => {
    app = await runReferenceApp({}, { 'conflux:lakeBufferSeconds': 0, 'conflux:etlSettleSeconds': 1 });
    const { runtime } = app.running;
    endpoints = runtime.endpoints;
    s3 = runtime.engines.s3;
    documents = DynamoDBDocumentClient.from(runtime.engines.dynamodb);
    athena = new AthenaClient({ endpoint: endpoints.athena, region: 'us-east-1' });
    sfn = new SFNClient({ endpoint: endpoints.stepfunctions, region: 'us-east-1' });
    bucket = app.running.physical(app.stacks.api.lake.rawZone.bucket);
    stateMachineArn = app.running.physical(app.stacks.api.lake.customersNightly.stateMachine);
  });
  afterAll(async () => {
    athena.destroy();
    sfn.destroy();
    await app.stop();
  });

  async function call(method: string, route: string, scopes: string, body?: unknown) {
    const token = await app.token({ scopes, clientId: randomUUID() });
    const response = await fetch(`${app.baseUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-api-key': app.keys.partner ?? '',
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
    };
  }
  const flush = async () => {
    const response = await fetch(`${endpoints.firehose}/_conflux/firehose/flush`, { method: 'POST' });
    expect(response.status).toBe(200);
  };
  const keys = async (prefix: string) => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      out.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token);
    return out;
  };
  const lines = async (key: string) => {
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    ).Body?.transformToByteArray();
    return parseJsonLines<Record<string, unknown>>(body ?? new Uint8Array());
  };
  const rawHolding = async (source: string, needle: string) => {
    for (const key of await keys(`raw/${source}/`)) {
      if ((await lines(key)).some((l) => JSON.stringify(l).includes(needle))) return key;
    }
    return undefined;
  };
  const query = async (name: string) => {
    const result = await runNamedQuery({ athena, query: name, pollMs: 50, timeoutMs: 60_000 });
    return result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c, r[i] ?? null])));
  };

  it('lands telemetry posted through the gateway in raw/telemetry/, and aggregates it per device and day', async () => {
    // GIVEN three readings of a new device posted through the API
    const deviceId = `dev-${randomUUID().slice(0, 8)}`;
    for (const value of [1.5, 4.5, 3]) {
      const posted = await call('POST', '/v1/telemetry', 'telemetry:write', {
        deviceId,
        metric: 'temperature',
        value,
        recordedAt: new Date().toISOString(),
      });
      expect(posted.status).toBe(202);
    }
    // WHEN Firehose delivers them
    const key = await eventually(async () => {
      await flush();
      return rawHolding('telemetry', deviceId);
    }, 30_000);
    // THEN they sit under raw/telemetry/dt=<day>/hour=<HH>/ as gzip JSON lines
    const day = new Date().toISOString().slice(0, 10);
    expect(key).toMatch(new RegExp(`^raw/telemetry/dt=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/.+\\.gz$`));
    // AND the named query aggregates them
    const rows = await eventually(async () => {
      const found = (await query('daily_device_aggregates')).filter((r) => r.deviceid === deviceId);
      return found.length > 0 && found[0]?.readings === '3' ? found : undefined;
    }, 30_000);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ metric: 'temperature', readings: '3' });
    expect(Number(rows[0]?.min_value)).toBe(1.5);
    expect(Number(rows[0]?.max_value)).toBe(4.5);
    expect(Number(rows[0]?.avg_value)).toBe(3);
    expect([day, new Date(Date.now() - 60_000).toISOString().slice(0, 10)]).toContain(rows[0]?.day);
  });

  it('lands customer changes in raw/customer_changes/, and current_customers matches the API', async () => {
    // GIVEN a customer created then renamed, and another created then deleted
    const word = randomUUID().slice(0, 8);
    const write = 'customers:write customers:read';
    const kept = await call('POST', '/v1/customers', write, {
      name: `Kept ${word}`,
      email: `kept-${word}@example.com`,
    });
    const keptId = String(kept.json.customerId);
    expect(
      (
        await call('PUT', `/v1/customers/${keptId}`, write, {
          name: `Renamed ${word}`,
          email: `kept-${word}@example.com`,
        })
      ).status,
    ).toBe(200);
    const gone = await call('POST', '/v1/customers', write, {
      name: `Gone ${word}`,
      email: `gone-${word}@example.com`,
    });
    const goneId = String(gone.json.customerId);
    expect((await call('DELETE', `/v1/customers/${goneId}`, write)).status).toBe(204);
    // WHEN their change events reach the raw zone (the delete's, after the creation's)
    await eventually(async () => {
      await flush();
      const deleted = await rawHolding('customer_changes', goneId);
      if (!deleted) return undefined;
      const events = (await Promise.all((await keys('raw/customer_changes/')).map(lines))).flat();
      const ops = events.filter((e) => JSON.stringify(e).includes(goneId)).map((e) => e.op);
      return ops.includes('d') ? true : undefined;
    }, 30_000);
    // THEN the query sees the renamed customer as the API does, and not the deleted one
    const api = (await call('GET', `/v1/customers/${keptId}`, 'customers:read')).json;
    const current = await eventually(async () => {
      const rows = await query('current_customers');
      const mine = rows.find((r) => r.customerid === keptId);
      return mine?.name === api.name ? rows : undefined;
    }, 30_000);
    const mine = current.find((r) => r.customerid === keptId);
    expect({ name: mine?.name, email: mine?.email }).toEqual({ name: api.name, email: api.email });
    expect(mine?.source_position).toMatch(/^\d{40}$/);
    expect(current.some((r) => r.customerid === goneId)).toBe(false);
  });

  describe('customers-nightly', () => {
    const customersTable = () => app.running.physical(app.stacks.api.customers.table);
    const watermarkTable = () => app.running.physical(app.stacks.api.lake.customersNightly.watermarkTable);
    const put = (item: Record<string, unknown>) =>
      documents.send(new PutCommand({ TableName: customersTable(), Item: item }));
    const watermark = async () =>
      (
        await documents.send(
          new GetCommand({
            TableName: watermarkTable(),
            Key: { pipeline: 'customers-nightly' },
            ConsistentRead: true,
          }),
        )
      ).Item;
    const etag = async (key: string) =>
      (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag;
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
    const id = () => randomUUID();
    // The window of the manual runs: an hour ago to ten minutes ago, in the past, so reruns see the same one.
    const since = at(3_600_000);
    const until = at(600_000);
    const inside = at(1_800_000);
    const good = id();
    const badEmail = id();
    const noName = id();

    it('quarantines the bad rows with their reasons and loads the cleansed ones', async () => {
      // GIVEN rows the API would refuse, written straight into the table, and a good one typed carelessly
      await put({
        customerId: good,
        name: '  Ada   King ',
        email: ' Ada.King@Example.com',
        phone: '0044 20 7946 0958',
        createdAt: inside,
        updatedAt: inside,
      });
      await put({
        customerId: badEmail,
        name: 'Bad Email',
        email: 'bad@@example',
        phone: '+1',
        createdAt: inside,
        updatedAt: inside,
      });
      await put({
        customerId: noName,
        name: '   ',
        email: 'noname@example.com',
        createdAt: inside,
        updatedAt: inside,
      });
      // WHEN the pipeline runs over the window by hand
      const run = await runPipeline({ sfn, stateMachineArn, input: { since, until }, pollMs: 100 });
      // THEN the bad rows are quarantined, each with its reasons
      expect(run.extract?.window).toMatchObject({ from: since, to: until });
      expect(run.transform).toMatchObject({ accepted: 1, rejected: 2, duplicates: 0 });
      const quarantine = await lines(run.transform?.quarantined?.key ?? '');
      const reasons = Object.fromEntries(
        quarantine.map((l) => [(l.row as { customerId: string }).customerId, l.reasons as string[]]),
      );
      expect(reasons[badEmail]).toEqual([
        expect.stringMatching(/^email: /),
        expect.stringMatching(/^phone: /),
      ]);
      expect(reasons[noName]).toEqual(['name: empty']);
      // AND the good row is loaded, cleansed, under curated/customers-nightly/dt=<day of until>/
      const curated = [...(run.load?.written ?? []), ...(run.load?.unchanged ?? [])];
      expect(curated.map((o) => o.key)).toEqual([
        `curated/customers-nightly/dt=${until.slice(0, 10)}/${run.extract?.window.id ?? ''}.json.gz`,
      ]);
      expect((await lines(curated[0]?.key ?? '')).find((r) => r.customerId === good)).toMatchObject({
        name: 'Ada King',
        email: 'ada.king@example.com',
        phone: '+442079460958',
      });
      // AND, the window starting after the epoch with no watermark stored, the watermark is not moved over
      // the rows before `since`: the next scheduled run still covers them
      expect(run.watermarkKept).toBe(true);
      expect(await watermark()).toBeUndefined();
    });

    it('a rerun of the same window changes nothing: same objects, same ETags, watermark unchanged', async () => {
      // GIVEN the objects and the watermark of the run above
      const first = await runPipeline({ sfn, stateMachineArn, input: { since, until }, pollMs: 100 });
      const objects = [
        first.transform?.quarantined?.key,
        ...(first.load?.unchanged ?? []).map((o) => o.key),
      ].filter((k): k is string => k !== undefined);
      const tags = await Promise.all(objects.map(etag));
      const stored = await watermark();
      // WHEN the window runs again
      const again = await runPipeline({ sfn, stateMachineArn, input: { since, until }, pollMs: 100 });
      // THEN nothing is written, the ETags are the same, and the watermark did not move
      expect(again.load?.written).toEqual([]);
      expect(again.load?.unchanged.map((o) => o.key)).toEqual(first.load?.unchanged.map((o) => o.key));
      expect(await Promise.all(objects.map(etag))).toEqual(tags);
      expect(again.watermarkKept).toBe(true);
      expect(await watermark()).toEqual(stored);
    });

    it('never skips a row written during a run: it falls after the watermark, and the next run loads it', async () => {
      // GIVEN a run from the stored watermark (no since), and a customer written once the run is extracting
      const during = id();
      let writing: Promise<unknown> | undefined;
      let writtenAt = '';
      const first = await runPipeline({
        sfn,
        stateMachineArn,
        input: {},
        pollMs: 50,
        onStep: (step) => {
          if (step !== 'Extract' || writing) return;
          writtenAt = new Date().toISOString();
          const row = { customerId: during, name: 'During', email: 'during@example.com' };
          writing = put({ ...row, createdAt: writtenAt, updatedAt: writtenAt });
        },
      });
      await writing;
      // THEN that run's window ended before the write (its start less the settle time), and so did the watermark
      const window = first.extract?.window;
      expect(writtenAt).not.toBe('');
      expect(window && window.to < writtenAt).toBe(true);
      const staged = first.extract && first.extract.rows > 0 ? await lines(first.extract.staged.key) : [];
      expect(staged.map((r) => r.customerId)).not.toContain(during);
      expect((await watermark())?.watermark).toBe(window?.to);
      // WHEN the next run starts once the write has settled (this app's settle time is 1 s)
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, Date.parse(writtenAt) + 1_500 - Date.now())),
      );
      const next = await runPipeline({ sfn, stateMachineArn, input: {}, pollMs: 50 });
      // THEN its window starts at the watermark and holds the row, which is loaded; the watermark passes it
      expect(next.extract?.window.from).toBe(window?.to);
      const loaded = await lines(next.load?.written[0]?.key ?? next.load?.unchanged[0]?.key ?? '');
      expect(loaded.map((r) => r.customerId)).toContain(during);
      const advanced = String((await watermark())?.watermark);
      expect(advanced >= writtenAt).toBe(true);
      // AND a manual run from a `since` past the watermark loads its window but leaves the watermark, so
      // the rows between the watermark and `since` are not skipped by the next run
      const past = new Date(Date.parse(advanced) + 1).toISOString();
      const manual = await runPipeline({ sfn, stateMachineArn, input: { since: past }, pollMs: 50 });
      expect(manual.extract?.window.from).toBe(past);
      expect(manual.watermarkKept).toBe(true);
      expect((await watermark())?.watermark).toBe(advanced);
    });

    it('runs when its schedule fires, with the scheduled time as its input', async () => {
      // GIVEN the pipeline's schedule
      const listing = (await (await fetch(`${endpoints.scheduler}/_conflux/schedules`)).json()) as {
        schedules: { name: string; groupName: string; target: { arn: string } }[];
      };
      const schedule = listing.schedules.find((s) => s.target.arn === stateMachineArn);
      expect(schedule).toBeDefined();
      const before = (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions?.length ?? 0;
      // WHEN it is fired now (as `conflux fire` does)
      const fired = await fetch(
        `${endpoints.scheduler}/_conflux/schedules/${encodeURIComponent(`${schedule?.groupName ?? ''}/${schedule?.name ?? ''}`)}/fire`,
        { method: 'POST' },
      );
      expect(fired.status).toBe(200);
      // THEN a new execution starts with {scheduledTime} and succeeds
      const execution = await eventually(async () => {
        const list = (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];
        if (list.length <= before) return undefined;
        const newest = list.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0))[0];
        const described = await sfn.send(
          new DescribeExecutionCommand({ executionArn: newest?.executionArn }),
        );
        return described.status === 'RUNNING' ? undefined : described;
      }, 30_000);
      expect(execution.status).toBe('SUCCEEDED');
      expect(Object.keys(JSON.parse(execution.input ?? '{}') as object)).toEqual(['scheduledTime']);
    });
  });

  describe('the commands, against the running app (.conflux/local.json)', () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    let cwd: string;
    beforeAll(() => {
      cwd = mkdtempSync(path.join(tmpdir(), 'lake-flow-'));
      mkdirSync(path.join(cwd, '.conflux'));
      const { endpoints: found, resources } = app.running.runtime;
      writeFileSync(
        path.join(cwd, '.conflux', 'local.json'),
        JSON.stringify({ endpoints: found, resources }),
      );
    });
    afterAll(() => {
      rmSync(cwd, { recursive: true, force: true });
    });
    const command = async (script: string, ...args: string[]) => {
      try {
        const { stdout, stderr } = await promisify(execFile)(
          path.join(root, 'node_modules/.bin/tsx'),
          [path.join(root, script), ...args],
          { cwd, env: { ...process.env, AWS_REGION: 'us-east-1' } },
        );
        return { code: 0, stdout, stderr };
      } catch (error: unknown) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };

    it('lake:query prints a named query’s rows as CSV, and exits 1 naming the queries for an unknown one', async () => {
      const csv = await command(
        'app/bin/lake-query.ts',
        '--query',
        'daily_device_aggregates',
        '--format',
        'csv',
      );
      expect(csv.code).toBe(0);
      expect(csv.stdout.split('\r\n')[0]).toBe('deviceid,metric,day,readings,min_value,max_value,avg_value');
      const unknown = await command('app/bin/lake-query.ts', '--query', 'nope');
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(
        /^lake:query: no named query "nope"; the named queries are: current_customers, daily_device_aggregates\n$/,
      );
    });

    it('etl runs customers-nightly over a window, showing its steps and counts', async () => {
      const until = new Date(Date.now() - 300_000).toISOString();
      const result = await command(
        'app/bin/etl.ts',
        '--since',
        new Date(Date.now() - 7_200_000).toISOString(),
        '--until',
        until,
      );
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('customers-nightly 5/5');
      expect(result.stdout).toMatch(/^execution arn:aws:states:.+ succeeded\n/);
      expect(result.stdout).toMatch(/\ntransformed: \d+ accepted, \d+ rejected/);
    });
  });
});
