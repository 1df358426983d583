import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runApp, type RunningApp } from '../../../../test/support/runtime.js';
import { consoleApp, type ConsoleApp } from './app.js';

interface Json {
  [key: string]: unknown;
}

describe('the local console API', () => {
  const fx: ConsoleApp = {};
  let running: RunningApp;
  let base: string;
  /** The console's node id of a construct: `<stack>/<logicalId>`. */
  const nodeId = (c: IConstruct) => {
    const element = c.node.defaultChild ?? c;
    const stack = Stack.of(c);
    return `${stack.stackName}/${stack.getLogicalId(element as never)}`;
  };
  const get = async (path: string) => {
    const res = await fetch(`${base}/_console/api${path}`);
    return { status: res.status, body: (await res.json()) as Json };
  };
  const post = async (path: string, body: unknown = {}, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/_console/api${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const depth = async (c: IConstruct) =>
    ((await get(`/resources/${nodeId(c)}`)).body as { depth: number }).depth;

  beforeAll(async () => {
    running = await runApp(consoleApp(fx), { log: () => undefined });
    base = running.runtime.baseUrl ?? '';
  });
  afterAll(async () => {
    await running.stop();
  });

  it('serves one self-contained page at /_console', async () => {
    // WHEN the page is asked for
    const res = await fetch(`${base}/_console`);
    const html = await res.text();
    // THEN it is HTML that loads nothing from elsewhere
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('<svg id="graph"');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });

  it("lays out the application's graph with every resource as a node", async () => {
    // WHEN the graph is asked for
    const { status, body } = await get('/graph');
    // THEN the queue, its DLQ and the state machine are placed nodes, and the DLQ edge is routed
    expect(status).toBe(200);
    const nodes = body.nodes as { id: string; x: number; width: number }[];
    const ids = nodes.map((n) => n.id);
    for (const c of [fx.orders, fx.dlq, fx.machine, fx.table]) expect(ids).toContain(nodeId(c as IConstruct));
    expect(nodes.every((n) => n.width > 0)).toBe(true);
    const edges = body.edges as { from: string; to: string; kind: string; points: unknown[] }[];
    const dlqEdge = edges.find((e) => e.kind === 'dead-letter');
    expect(dlqEdge?.to).toBe(nodeId(fx.dlq as IConstruct));
    expect(dlqEdge?.points.length).toBeGreaterThanOrEqual(2);
  });

  it('shows a failed message in the DLQ, peeks it without consuming it, and redrives it', async () => {
    // GIVEN a message the queue's consumer fails on, which lands in the DLQ
    await running.runtime.engines.sqs.send(
      new SendMessageCommand({
        QueueUrl: running.physical(fx.orders as IConstruct),
        MessageBody: '{"order":42}',
      }),
    );
    await eventually(async () => ((await depth(fx.dlq as IConstruct)) === 1 ? true : undefined));
    const queue = (await get(`/resources/${nodeId(fx.orders as IConstruct)}`)).body;
    expect(queue.deadLetterQueue).toEqual({ id: nodeId(fx.dlq as IConstruct), depth: 1 });
    const snapshot = (await get('/snapshot')).body as { badges: Record<string, Json> };
    expect(snapshot.badges[nodeId(fx.orders as IConstruct)]).toMatchObject({ dlqDepth: 1 });
    // WHEN the DLQ is peeked twice
    const first = (await get(`/queues/${nodeId(fx.dlq as IConstruct)}/messages`)).body;
    const second = (await get(`/queues/${nodeId(fx.dlq as IConstruct)}/messages?limit=1`)).body;
    // THEN both show the message, which stays on the queue
    expect((first.messages as { body: string }[]).map((m) => m.body)).toEqual(['{"order":42}']);
    expect((second.messages as { body: string }[]).map((m) => m.body)).toEqual(['{"order":42}']);
    const counts = [first, second].map((p) => (p.messages as { receiveCount: number }[])[0]?.receiveCount);
    expect(counts[1]).toBe(counts[0]);
    expect(await depth(fx.dlq as IConstruct)).toBe(1);
    // WHEN it is redriven
    const redriven = await post(`/queues/${nodeId(fx.dlq as IConstruct)}/redrive`);
    // THEN it moved back to the source queue, and the DLQ is empty until the consumer fails on it again
    expect(redriven).toEqual({
      status: 200,
      body: { from: nodeId(fx.dlq as IConstruct), to: nodeId(fx.orders as IConstruct), moved: 1 },
    });
    expect(await depth(fx.dlq as IConstruct)).toBe(0);
    const fulfil = await eventually(async () => {
      const invocations = (await get('/invocations')).body.invocations as { functionName: string }[];
      const names = invocations.filter((i) => i.functionName.includes('Fulfil'));
      return names.length >= 2 ? names : undefined;
    });
    expect(fulfil.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses to redrive a queue that is no DLQ, and a bad peek limit, with a JSON error', async () => {
    // WHEN the source queue itself is redriven, and a peek asks for 50
    const redrive = await post(`/queues/${nodeId(fx.orders as IConstruct)}/redrive`);
    const peek = await get(`/queues/${nodeId(fx.dlq as IConstruct)}/messages?limit=51`);
    const unknown = await get('/resources/Shop/Nope');
    const wrongKind = await get(`/queues/${nodeId(fx.table as IConstruct)}/messages`);
    // THEN each is a 4xx with a message saying why, and no stack trace
    expect(redrive.status).toBe(409);
    expect((redrive.body.error as { message: string }).message).toMatch(/dead-letter queue of no queue/);
    expect(peek.status).toBe(400);
    expect(peek.body).toMatchObject({
      error: { message: 'limit must be a whole number from 1 to 50, not 51' },
    });
    expect(unknown.status).toBe(404);
    expect(wrongKind.status).toBe(400);
    expect(JSON.stringify([redrive, peek, unknown, wrongKind])).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('refuses an action posted from another origin', async () => {
    // WHEN a page of another origin posts a redrive
    const res = await post(
      `/queues/${nodeId(fx.dlq as IConstruct)}/redrive`,
      {},
      { Origin: 'http://evil.test' },
    );
    // THEN it is refused
    expect(res.status).toBe(403);
  });

  it("shows an execution's path: the failed step, the caught compensation, and the failure", async () => {
    // GIVEN one execution that succeeds and one whose reservation fails
    const arn = running.physical(fx.machine as IConstruct);
    const ok = running.runtime.stepFunctions.start(arn, '{"fail":false}', 'ok-1');
    const failed = running.runtime.stepFunctions.start(arn, '{"fail":true}', 'fail-1');
    await Promise.all([ok.done, failed.done]);
    // WHEN their details are asked for
    const okDetail = (await get(`/executions/${encodeURIComponent(ok.executionArn)}`)).body;
    const failDetail = (await get(`/executions/${encodeURIComponent(failed.executionArn)}`)).body;
    // THEN the success went Reserve → Done, and the failure Reserve (caught) → Refund → OrderFailed, as compensation
    const path = (d: Json) =>
      (d.path as { state: string; outcome: string; compensation: boolean }[]).map(
        (p) => `${p.state}:${p.outcome}${p.compensation ? ':comp' : ''}`,
      );
    expect(okDetail.status).toBe('SUCCEEDED');
    expect(path(okDetail)).toEqual(['ReserveStock:succeeded', 'Done:succeeded']);
    expect(failDetail).toMatchObject({ status: 'FAILED', error: 'OrderFailed', compensated: true });
    expect(path(failDetail)).toEqual([
      'ReserveStock:caught',
      'RefundPayment:succeeded:comp',
      'OrderFailed:failed:comp',
    ]);
    expect(failDetail.taken).toContainEqual({ from: 'ReserveStock', to: 'RefundPayment', kind: 'catch' });
    const graph = failDetail.graph as { states: { id: string; width: number }[] };
    expect(graph.states.map((s) => s.id).sort()).toEqual([
      'Done',
      'OrderFailed',
      'RefundPayment',
      'ReserveStock',
    ]);
    // AND the state machine lists both, newest first, with its badge counts
    const machine = (await get(`/resources/${nodeId(fx.machine as IConstruct)}`)).body;
    expect((machine.executions as { name: string }[]).map((e) => e.name)).toEqual(
      expect.arrayContaining(['ok-1', 'fail-1']),
    );
    const badges = (await get('/snapshot')).body.badges as Record<string, Json>;
    expect(badges[nodeId(fx.machine as IConstruct)]).toMatchObject({ succeeded: 1, failed: 1, running: 0 });
  });

  it("shows a function's recent invocations with their logs and durations", async () => {
    // GIVEN the refund function ran in the failed execution
    const refund = (await get('/snapshot')).body.resources as { id: string; physical: string }[];
    const id = refund.find((r) => r.id.startsWith('Shop/Refund'))?.id ?? '';
    // WHEN its detail is asked for
    const detail = (await get(`/resources/${id}`)).body as {
      invocations: { logs: string[]; durationMs: number; outcome: string }[];
    };
    // THEN it lists the invocation, with what it logged
    const [latest] = detail.invocations;
    expect(latest?.outcome).toBe('ok');
    expect(latest?.durationMs).toBeGreaterThanOrEqual(0);
    expect(latest?.logs.join('\n')).toContain('refunded');
  });

  it('counts and pages a table, and rejects a forged cursor', async () => {
    // GIVEN three items
    for (const id of ['a', 'b', 'c']) {
      await running.runtime.engines.dynamodb.send(
        new PutItemCommand({
          TableName: running.physical(fx.table as IConstruct),
          Item: { id: { S: id }, n: { N: '1' } },
        }),
      );
    }
    // WHEN the table and a page of items are asked for
    const table = (await get(`/resources/${nodeId(fx.table as IConstruct)}`)).body;
    const page = (await get(`/tables/${nodeId(fx.table as IConstruct)}/items`)).body;
    const forged = await get(`/tables/${nodeId(fx.table as IConstruct)}/items?cursor=bm90LWpzb24`);
    // THEN it counts three, shows them as plain JSON, and refuses the cursor
    expect(table.itemCount).toBe(3);
    expect((page.items as { id: string }[]).map((i) => i.id).sort()).toEqual(['a', 'b', 'c']);
    expect(page.items).toContainEqual({ id: 'a', n: 1 });
    expect(forged.status).toBe(400);
  });

  it("shows a topic's subscriptions with their filter policies", async () => {
    // WHEN the topic is asked for
    const topic = (await get(`/resources/${nodeId(fx.topic as IConstruct)}`)).body;
    // THEN its SQS subscription shows with the filter policy of the template
    expect(topic.subscriptions).toEqual([
      expect.objectContaining({
        protocol: 'sqs',
        endpoint: nodeId(fx.orders as IConstruct),
        filterPolicy: { kind: ['placed'] },
        filterPolicyScope: 'MessageAttributes',
      }),
    ]);
  });

  it('shows a scheduled rule with its next fire time, and fires it now', async () => {
    // WHEN the rule is asked for, then fired
    const id = nodeId(fx.rule as IConstruct);
    const rule = (await get(`/resources/${id}`)).body as { rule: { nextFireTime?: string } };
    const fired = await post(`/fire/${id}`);
    // THEN it has a next fire time within the hour, and firing reached its one target
    expect(Date.parse(rule.rule.nextFireTime ?? '')).toBeGreaterThan(Date.now());
    expect(fired).toMatchObject({ status: 200, body: { targets: 1 } });
    // AND firing the table is refused
    expect((await post(`/fire/${nodeId(fx.table as IConstruct)}`)).status).toBe(400);
  });

  it("shows a stream's shards with the consumer's position and lag", async () => {
    // GIVEN three records put on the stream, which its consumer reads
    const StreamName = running.physical(fx.stream as IConstruct);
    for (const n of [1, 2, 3]) {
      await running.runtime.engines.kinesis.send(
        new PutRecordCommand({ StreamName, PartitionKey: 'k', Data: new TextEncoder().encode(`click ${n}`) }),
      );
    }
    // WHEN the stream is asked for, until its consumer has caught up
    const id = nodeId(fx.stream as IConstruct);
    const stream = await eventually(async () => {
      const body = (await get(`/resources/${id}`)).body as {
        shards: {
          records: number;
          latestSequenceNumber?: string;
          consumers: { behind: number; position: string }[];
        }[];
      };
      return body.shards[0]?.consumers[0]?.behind === 0 ? body : undefined;
    });
    // THEN its one shard holds the three records, and the consumer is at the latest one
    const [shard] = stream.shards;
    expect(shard?.records).toBe(3);
    expect(shard?.consumers).toEqual([
      expect.objectContaining({ position: shard?.latestSequenceNumber, behind: 0, lagMs: 0 }),
    ]);
  });

  it('shows a schedule with its next fire time, and fires it now', async () => {
    // WHEN the schedule is asked for, then fired
    const id = nodeId(fx.schedule as IConstruct);
    const detail = (await get(`/resources/${id}`)).body as { schedule: { nextFireTime?: string } };
    const before = (await get('/invocations')).body.invocations as unknown[];
    const fired = await post(`/fire/${id}`);
    // THEN it is due within 30 minutes, and firing invoked its target
    expect(Date.parse(detail.schedule.nextFireTime ?? '') - Date.now()).toBeLessThanOrEqual(30 * 60_000);
    expect(fired.status).toBe(200);
    await eventually(async () => {
      const after = (await get('/invocations')).body.invocations as unknown[];
      return after.length > before.length ? true : undefined;
    });
  });

  it('shows the usage plans of the API, with their counters and throttles', async () => {
    // GIVEN requests with the plan's key, more at once than its burst of 5
    const key = Object.values(running.runtime.apiKeys)[0] ?? '';
    const answers = await Promise.all(
      Array.from(
        { length: 12 },
        async () => (await fetch(`${base}/orders`, { headers: { 'x-api-key': key } })).status,
      ),
    );
    const throttled = answers.filter((s) => s === 429).length;
    expect(throttled).toBeGreaterThan(0);
    // WHEN the REST API is asked for
    const snapshot = (await get('/snapshot')).body.resources as { id: string; kind: string }[];
    const apiId = snapshot.find((r) => r.kind === 'api')?.id ?? '';
    const api = (await get(`/resources/${apiId}`)).body;
    // THEN its plan shows throttle, quota and key names (never key values)
    expect(api.usagePlans).toEqual([
      expect.objectContaining({
        name: 'basic',
        throttle: { rate: 10, burst: 5 },
        quota: { limit: 1000, period: 'DAY' },
        keys: [expect.objectContaining({ name: 'tester', enabled: true })],
        usage: { requests: 12, throttled, overQuota: 0, quotaUsed: { tester: 12 - throttled } },
      }),
    ]);
    expect(JSON.stringify(api)).not.toContain(Object.values(running.runtime.apiKeys)[0] ?? 'no key');
  });

  it('streams badge changes as server-sent events', async () => {
    // GIVEN a connected event stream
    const controller = new AbortController();
    const res = await fetch(`${base}/_console/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += decoder.decode(value);
      }
    };
    await until(/event: badges/);
    // WHEN a message is sent to the DLQ
    text = '';
    await running.runtime.engines.sqs.send(
      new SendMessageCommand({ QueueUrl: running.physical(fx.dlq as IConstruct), MessageBody: 'x' }),
    );
    // THEN a badges event carries the DLQ's new depth
    const dlq = nodeId(fx.dlq as IConstruct);
    await until(new RegExp(`"${dlq.replace('/', '\\/')}":\\{"depth":\\d+`));
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });
});
