import { request, type IncomingMessage } from 'node:http';
import {
  ExecuteStatementCommand,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineLink } from '../../../src/services/dynamodb/engine-link.js';
import { Replicator } from '../../../src/services/dynamodb/replication.js';
import { processed } from '../../../src/services/dynamodb/router-inspect.js';
import { fakeSetup, type FakeSetup } from './fake-engine.js';

const TABLE = 'T';
const EVENTUAL = { tableName: TABLE, mode: 'eventual', regions: ['us-east-1', 'us-east-2'] } as const;
const WITNESSED = {
  tableName: TABLE,
  mode: 'strong',
  regions: ['us-east-1', 'us-east-2'],
  witness: 'us-west-2',
} as const;
const THREE_WAY = {
  tableName: TABLE,
  mode: 'strong',
  regions: ['us-east-1', 'us-east-2', 'us-west-2'],
} as const;

interface CallError {
  name: string;
  $metadata: { httpStatusCode?: number };
}
const failure = async (call: Promise<unknown>): Promise<CallError | undefined> =>
  call.then(
    () => undefined,
    (error: unknown) => error as CallError,
  );
const put = (c: DynamoDBClient, id: string, v: string) =>
  c.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: id }, v: { S: v } } }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const within = async <T>(ms: number, work: Promise<T>): Promise<T | 'timeout'> =>
  Promise.race([work, sleep(ms).then(() => 'timeout' as const)]);

/** A raw request to the router signed for us-east-1 (for the streaming path). */
function raw(url: string, target: string, onAnswer: (res: IncomingMessage) => void) {
  const u = new URL(url);
  const req = request(
    {
      host: u.hostname,
      port: u.port,
      method: 'POST',
      path: '/',
      headers: {
        'x-amz-target': `DynamoDB_20120810.${target}`,
        authorization:
          'AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
    },
    onAnswer,
  );
  return req;
}

describe('the DynamoDB router under faults (a fake engine)', () => {
  let setup: FakeSetup | undefined;
  afterEach(async () => {
    await setup?.close();
    setup = undefined;
  });

  it('frees the engine socket of every caller that goes away mid-answer, so later requests are served', async () => {
    // GIVEN
    setup = await fakeSetup([EVENTUAL]);
    const s = setup;
    s.engine.hook = (c) => (c.operation === 'ListTables' ? 'hang' : undefined);
    // WHEN: more aborted answers than the pool has sockets
    for (let i = 0; i < 70; i++) {
      await new Promise<void>((resolve) => {
        const req = raw(s.router.url, 'ListTables', (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => {
          resolve();
        });
        req.end('{}');
      });
    }
    // THEN
    const answered = await within(
      3000,
      s.client('us-east-1').send(new GetItemCommand({ TableName: 'Plain', Key: { id: { S: 'x' } } })),
    );
    expect(answered).not.toBe('timeout');
  });

  it('ends the caller’s connection when the engine dies mid-answer', async () => {
    // GIVEN
    setup = await fakeSetup([EVENTUAL]);
    const s = setup;
    s.engine.hook = (c) => (c.operation === 'ListTables' ? 'die' : undefined);
    // WHEN
    const outcome = await within(
      3000,
      new Promise<string>((resolve) => {
        const req = raw(s.router.url, 'ListTables', (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            resolve('ended');
          });
          res.on('error', () => {
            resolve('error');
          });
          res.on('aborted', () => {
            resolve('aborted');
          });
        });
        req.on('error', () => {
          resolve('error');
        });
        req.end('{}');
      }),
    );
    // THEN
    expect(outcome).not.toBe('timeout');
  });

  it('retries a delivery the engine fails, and counts one it keeps failing as failed', async () => {
    // GIVEN
    setup = await fakeSetup([EVENTUAL]);
    let refusals = 2;
    setup.engine.hook = (c) =>
      c.own && c.operation === 'PutItem' && c.region === 'us-east-2' && refusals-- > 0 ? 'fail' : undefined;
    // WHEN
    await put(setup.client('us-east-1'), 'a', '1');
    const settled = await setup.router.settle(5000);
    // THEN
    expect(setup.engine.item('us-east-2', TABLE, 'a')).toEqual({ id: { S: 'a' }, v: { S: '1' } });
    expect(settled.tables[0]).toMatchObject({ delivered: 1, failed: 0, pending: 0 });
    // WHEN: the engine keeps failing
    setup.engine.hook = (c) =>
      c.own && c.operation === 'PutItem' && c.region === 'us-east-2' ? 'fail' : undefined;
    await put(setup.client('us-east-1'), 'b', '1');
    const given = await setup.router.settle(8000);
    // THEN
    expect(given.tables[0]).toMatchObject({ failed: 1, pending: 0 });
  });

  it('keeps the version of an acknowledged write whose read-back fails, so an older delivery cannot overwrite it', async () => {
    // GIVEN: us-east-2's write of the item is on its way to us-east-1
    setup = await fakeSetup([EVENTUAL], { lagMs: 300 });
    await put(setup.client('us-east-2'), 'k', 'east-2');
    setup.engine.hook = (c) =>
      c.own && c.operation === 'GetItem' && c.region === 'us-east-1' ? 'fail' : undefined;
    // WHEN: us-east-1 writes it later, and its read-back fails
    await put(setup.client('us-east-1'), 'k', 'east-1');
    const doc = await setup.router.settle(5000);
    // THEN
    expect(setup.engine.item('us-east-1', TABLE, 'k')?.v).toEqual({ S: 'east-1' });
    expect(doc.tables[0]?.failed).toBe(1);
  });

  it('retries a failed read-back', async () => {
    // GIVEN
    setup = await fakeSetup([EVENTUAL]);
    let refusals = 1;
    setup.engine.hook = (c) => (c.own && c.operation === 'GetItem' && refusals-- > 0 ? 'fail' : undefined);
    // WHEN
    await put(setup.client('us-east-1'), 'r', '1');
    await setup.router.settle(5000);
    // THEN
    expect(setup.engine.item('us-east-2', TABLE, 'r')).toEqual({ id: { S: 'r' }, v: { S: '1' } });
  });

  it('fails an MRSC write with 500 when no other replica applied it, and delivers it once the engine recovers', async () => {
    // GIVEN
    setup = await fakeSetup([THREE_WAY]);
    let failing = true;
    setup.engine.hook = (c) =>
      failing && c.own && c.operation === 'PutItem' && c.region !== 'us-east-1' ? 'fail' : undefined;
    // WHEN
    const error = await failure(put(setup.client('us-east-1'), 's', '1'));
    failing = false;
    await setup.router.settle(5000);
    // THEN
    expect(error?.name).toBe('InternalServerError');
    expect(error?.$metadata.httpStatusCode).toBe(500);
    expect(setup.engine.item('us-east-2', TABLE, 's')).toEqual({ id: { S: 's' }, v: { S: '1' } });
  });

  it('applies an MRSC write to a replica under its lock, after a held older delivery of the item', async () => {
    // GIVEN: v1 held for a partitioned us-east-2
    setup = await fakeSetup([WITNESSED]);
    const east1 = setup.client('us-east-1');
    setup.router.region('us-east-2', 'partition');
    await put(east1, 'x', 'v1');
    let slow = true;
    setup.engine.hook = (c) => {
      if (c.own && c.operation === 'PutItem' && c.region === 'us-east-2' && slow) {
        slow = false;
        return 300;
      }
      return undefined;
    };
    // WHEN: the held v1 is being applied (slowly) when v2 is written
    setup.router.region('us-east-2', 'heal');
    await sleep(30);
    await put(east1, 'x', 'v2');
    await setup.router.settle(5000);
    // THEN
    expect(setup.engine.item('us-east-2', TABLE, 'x')?.v).toEqual({ S: 'v2' });
  });

  it('applies what an MRSC replica is owed before the start control answers', async () => {
    // GIVEN
    setup = await fakeSetup([WITNESSED]);
    await fetch(`${setup.router.url}/_conflux/regions/us-east-2/stop`, { method: 'POST' });
    await put(setup.client('us-east-1'), 'o', '1');
    setup.engine.hook = (c) => (c.own && c.operation === 'PutItem' ? 200 : undefined);
    // WHEN
    const started = await fetch(`${setup.router.url}/_conflux/regions/us-east-2/start`, { method: 'POST' });
    // THEN: no settling
    expect(started.status).toBe(200);
    expect(await started.json()).toEqual({ region: 'us-east-2', state: 'up', partitioned: false });
    expect(setup.engine.item('us-east-2', TABLE, 'o')).toEqual({ id: { S: 'o' }, v: { S: '1' } });
  });

  it('delivers an MRSC write to a healed replica while the Region that wrote it is stopped', async () => {
    // GIVEN
    setup = await fakeSetup([THREE_WAY]);
    setup.router.region('us-west-2', 'partition');
    await put(setup.client('us-east-1'), 'h', '1');
    // WHEN
    setup.router.region('us-east-1', 'stop');
    setup.router.region('us-west-2', 'heal');
    const doc = await setup.router.settle(2000);
    // THEN
    expect(doc.blocked).toBe(0);
    expect(setup.engine.item('us-west-2', TABLE, 'h')).toEqual({ id: { S: 'h' }, v: { S: '1' } });
  });

  it('re-checks an MRSC write’s quorum and its Region after the round trip', async () => {
    // GIVEN
    setup = await fakeSetup([WITNESSED], { roundTripMs: 200 });
    const east1 = setup.client('us-east-1');
    // WHEN: isolated during the round trip
    const isolated = failure(put(east1, 'q', '1'));
    await sleep(50);
    setup.router.region('us-east-1', 'partition');
    const partitioned = await isolated;
    setup.router.region('us-east-1', 'heal');
    const stopping = failure(put(east1, 'q2', '1'));
    await sleep(50);
    setup.router.region('us-east-1', 'stop');
    const stopped = await stopping;
    setup.router.region('us-east-1', 'start');
    // THEN
    expect(partitioned?.$metadata.httpStatusCode).toBe(500);
    expect(stopped?.$metadata.httpStatusCode).toBe(503);
    expect(setup.engine.item('us-east-1', TABLE, 'q')).toBeUndefined();
    expect(setup.engine.item('us-east-1', TABLE, 'q2')).toBeUndefined();
  });

  it('refuses PartiQL naming a global table and passes the rest on', async () => {
    // GIVEN
    setup = await fakeSetup([EVENTUAL]);
    const east1 = setup.client('us-east-1');
    // WHEN
    const refused = await failure(
      east1.send(new ExecuteStatementCommand({ Statement: `UPDATE "${TABLE}" SET v = 'x' WHERE id = 'a'` })),
    );
    const passed = await failure(
      east1.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "Plain" WHERE id = 'a'` })),
    );
    // THEN
    expect(refused?.name).toBe('ValidationException');
    expect(refused?.$metadata.httpStatusCode).toBe(400);
    expect(passed).toBeUndefined();
    expect(setup.engine.calls.filter((c) => c.operation === 'ExecuteStatement')).toHaveLength(1);
  });

  it('serves a caller signed for a Region no table names from the home Region’s database', async () => {
    // GIVEN
    setup = await fakeSetup([EVENTUAL]);
    // WHEN
    for (const region of ['eu-west-1', 'localhost', 'us-east-2']) {
      await setup.client(region).send(new GetItemCommand({ TableName: 'Plain', Key: { id: { S: 'x' } } }));
    }
    // THEN
    expect(setup.engine.calls.map((c) => c.region)).toEqual(['us-east-1', 'us-east-1', 'us-east-2']);
  });

  it('does not count as a conflict a delivery superseded by a later write of its own Region', async () => {
    // GIVEN: a long lag, then none
    setup = await fakeSetup([EVENTUAL], { lagMs: 600 });
    const east1 = setup.client('us-east-1');
    await put(east1, 'c', '1');
    setup.router.configure({ lagMs: 0 });
    // WHEN
    await put(east1, 'c', '2');
    const doc = await setup.router.settle(5000);
    // THEN
    expect(setup.engine.item('us-east-2', TABLE, 'c')?.v).toEqual({ S: '2' });
    expect(doc.tables[0]?.conflicts).toBe(0);
  });

  it('ends settle and the MRSC round trip wait when it closes', async () => {
    // GIVEN
    setup = await fakeSetup([EVENTUAL, { ...THREE_WAY, tableName: 'S' }], {
      lagMs: 60_000,
      roundTripMs: 60_000,
    });
    const s = setup;
    await put(s.client('us-east-1'), 'w', '1');
    const settling = s.router.settle(120_000).then(
      () => 'settled',
      (error: unknown) => (error as Error).name,
    );
    const writing = failure(
      s.client('us-east-1').send(new PutItemCommand({ TableName: 'S', Item: { id: { S: 'z' } } })),
    );
    await sleep(50);
    // WHEN
    const closed = await within(2000, s.router.close());
    // THEN
    expect(closed).not.toBe('timeout');
    expect(await within(1000, settling)).toBe('RouterClosedError');
    expect(await within(1000, writing)).not.toBe('timeout');
    setup = undefined;
    await s.engine.close();
  });
});

describe('the DynamoDB router’s item identity and batch answers', () => {
  const replicator = () => {
    const r = new Replicator(new EngineLink('http://127.0.0.1:9'), 'us-east-1', 0, 0);
    r.register({
      tableName: TABLE,
      mode: 'eventual',
      regions: ['us-east-1', 'us-east-2'],
      keySchema: [
        { AttributeName: 'sk', KeyType: 'RANGE' },
        { AttributeName: 'pk', KeyType: 'HASH' },
      ],
    });
    return r;
  };

  it('gives one number key one identity however it is written', () => {
    // GIVEN
    const r = replicator();
    const id = (n: string) => r.keyId(TABLE, { pk: { N: n }, sk: { S: 's' } });
    // THEN
    for (const same of ['1.0', '01', '1e0', '0.1e1', '1.000', '+1']) expect(id(same)).toBe(id('1'));
    expect(id('-0')).toBe(id('0'));
    expect(id('100')).toBe(id('1e2'));
    expect(id('2')).not.toBe(id('1'));
    expect(id('-1')).not.toBe(id('1'));
    expect(r.keyId(TABLE, { sk: { S: 's' }, pk: { N: '1' } })).toBe(id('1'));
    r.close();
  });

  it('takes a BatchWriteItem answer it cannot parse as every request processed', () => {
    // GIVEN
    const r = replicator();
    const writes = [{ tableName: TABLE, key: { pk: { N: '1' }, sk: { S: 's' } } }];
    // THEN
    expect(processed('BatchWriteItem', writes, Buffer.from('<not json>'), r)).toEqual(writes);
    r.close();
  });
});
