import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { accountsProjection } from '../../functions/accounts/projection';
import { rebuildProjection } from '../../ops/rebuild-projection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReferenceApp, type ReferenceApp } from '../support/reference-app';
import { eventually } from '../../../test/support/runtime';

interface AccountBody {
  accountId: string;
  balanceMinor: number;
  version: number;
}

/** Event-sourced accounts through the offline gateway: commands, the read model, time travel, the outbox. */
describe('accounts, offline', () => {
  let app: ReferenceApp;
  let token: string;

  beforeAll(async () => {
    app = await runReferenceApp();
    token = await app.token({
      subject: 'alice',
      scopes: 'accounts:read accounts:write',
      clientId: randomUUID(),
    });
  });
  afterAll(async () => {
    await app.stop();
  });

  async function call(
    method: string,
    route: string,
    body?: unknown,
    as = token,
    headers: Record<string, string> = {},
  ) {
    const response = await fetch(`${app.baseUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${as}`,
        'x-api-key': app.keys.partner ?? '',
        'content-type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }
  const code = (r: { json: Record<string, unknown> }) => (r.json.error as { code: string } | undefined)?.code;

  async function openAccount(): Promise<string> {
    const opened = await call('POST', '/v1/accounts', { currency: 'EUR' });
    expect(opened.status).toBe(201);
    return (opened.json as unknown as AccountBody).accountId;
  }

  it('credits each account its own deposit when one Idempotency-Key and body are used on two accounts', async () => {
    // GIVEN two of alice's accounts and one key
    const [a, b] = [await openAccount(), await openAccount()];
    const key = { 'Idempotency-Key': `deposit-${randomUUID()}` };
    // WHEN the same deposit is sent to A twice and to B once
    const first = await call('POST', `/v1/accounts/${a}/deposits`, { amountMinor: 500 }, token, key);
    const replay = await call('POST', `/v1/accounts/${a}/deposits`, { amountMinor: 500 }, token, key);
    const other = await call('POST', `/v1/accounts/${b}/deposits`, { amountMinor: 500 }, token, key);
    // THEN A is credited once (the replay is the first answer) and B is credited too
    expect(replay.json).toEqual(first.json);
    expect(first.json).toMatchObject({ accountId: a, balanceMinor: 500, version: 2 });
    expect(other.json).toMatchObject({ accountId: b, balanceMinor: 500, version: 2 });
  });

  it('keeps a balance through deposits and withdrawals, refuses an overdraft, and travels in time', async () => {
    const id = await openAccount();
    const deposited = await call('POST', `/v1/accounts/${id}/deposits`, { amountMinor: 10_000 });
    expect(deposited.json).toMatchObject({ balanceMinor: 10_000, version: 2 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const withdrawn = await call('POST', `/v1/accounts/${id}/withdrawals`, { amountMinor: 2_500 });
    expect(withdrawn.json).toMatchObject({ balanceMinor: 7_500, version: 3 });

    const overdraft = await call('POST', `/v1/accounts/${id}/withdrawals`, { amountMinor: 100_000 });
    expect(overdraft.status).toBe(409);
    expect(code(overdraft)).toBe('InsufficientFunds');

    // The read model catches up through the store's stream.
    const view = await eventually(async () => {
      const r = await call('GET', `/v1/accounts/${id}`);
      return r.status === 200 && r.json.version === 3 ? r.json : undefined;
    });
    expect(view).toMatchObject({ balanceMinor: 7_500, currency: 'EUR' });

    // Time travel from the store: by instant and by version.
    expect((await call('GET', `/v1/accounts/${id}?asOf=${encodeURIComponent(between)}`)).json).toMatchObject({
      balanceMinor: 10_000,
      version: 2,
    });
    expect((await call('GET', `/v1/accounts/${id}?asOf=1`)).json).toMatchObject({
      balanceMinor: 0,
      version: 1,
    });
    const badAsOf = await call('GET', `/v1/accounts/${id}?asOf=yesterday`);
    expect(badAsOf.status).toBe(400);
    expect(code(badAsOf)).toBe('InvalidQueryParameter');

    const events = await call('GET', `/v1/accounts/${id}/events`);
    expect((events.json.events as { type: string }[]).map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'MoneyWithdrawn',
    ]);
  });

  it('loses no update when writers race on one account: each deposit is applied or refused with 409', async () => {
    const id = await openAccount();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => call('POST', `/v1/accounts/${id}/deposits`, { amountMinor: 100 })),
    );
    const applied = results.filter((r) => r.status === 200).length;
    const conflicts = results.filter((r) => r.status === 409);
    expect(applied + conflicts.length).toBe(8);
    for (const conflict of conflicts) expect(code(conflict)).toBe('ConcurrentModification');
    expect(applied).toBeGreaterThanOrEqual(1);
    const now = await call('GET', `/v1/accounts/${id}?asOf=${encodeURIComponent(new Date().toISOString())}`);
    expect(now.json).toMatchObject({ balanceMinor: 100 * applied, version: 1 + applied });
  });

  it('hides another subject’s account', async () => {
    const id = await openAccount();
    const bob = await app.token({
      subject: 'bob',
      scopes: 'accounts:read accounts:write',
      clientId: randomUUID(),
    });
    expect((await call('GET', `/v1/accounts/${id}?asOf=1`, undefined, bob)).status).toBe(404);
    expect((await call('POST', `/v1/accounts/${id}/deposits`, { amountMinor: 1 }, bob)).status).toBe(404);
    expect((await call('GET', `/v1/accounts/${randomUUID()}`)).status).toBe(404);
  });

  it('publishes committed events through the outbox to domain-events, where analytics counts them', async () => {
    const id = await openAccount();
    await call('POST', `/v1/accounts/${id}/deposits`, { amountMinor: 5 });
    const documents = DynamoDBDocumentClient.from(app.running.runtime.engines.dynamodb);
    const analytics = app.running.physical(app.stacks.messaging.node.findChild('AnalyticsTable'));
    const day = new Date().toISOString().slice(0, 10);
    const counted = await eventually(async () => {
      const { Item } = await documents.send(
        new GetCommand({ TableName: analytics, Key: { counterId: `AccountOpened#${day}` } }),
      );
      return Item;
    });
    expect(Number(counted.count)).toBeGreaterThanOrEqual(1);
  });

  it('rebuilds the read model from the store into a table equal to the live one, and keeps projecting into it', async () => {
    const id = await openAccount();
    await call('POST', `/v1/accounts/${id}/deposits`, { amountMinor: 700 });
    await eventually(async () => {
      const r = await call('GET', `/v1/accounts/${id}`);
      return r.json.version === 2 ? r : undefined;
    });
    const documents = DynamoDBDocumentClient.from(app.running.runtime.engines.dynamodb);
    const view = app.stacks.api.accounts.view;
    const scan = async (table: string) =>
      ((await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? []).sort(
        (x, y) => String(x.accountId).localeCompare(String(y.accountId)),
      );
    // Let the live projector finish whatever the other tests started.
    const live = app.running.physical(view.tables.a);
    let previous = '';
    await eventually(async () => {
      const now = JSON.stringify(await scan(live));
      const settled = now === previous;
      previous = now;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return settled ? true : undefined;
    });

    const report = await rebuildProjection({
      documents,
      controlTable: app.running.physical(app.stacks.api.accounts.store.projectionControl),
      projection: 'accounts',
      spec: accountsProjection,
      settleMs: 100,
    });
    expect(report).toMatchObject({ from: 'a', to: 'b' });
    expect(report.rows).toBeGreaterThanOrEqual(1);
    const rebuilt = app.running.physical(view.tables.b);
    expect(await scan(rebuilt)).toEqual(await scan(live));

    // The projector now writes to the rebuilt table.
    await call('POST', `/v1/accounts/${id}/deposits`, { amountMinor: 1 });
    const row = await eventually(async () => {
      const { Item } = await documents.send(new GetCommand({ TableName: rebuilt, Key: { accountId: id } }));
      return Item?.version === 3 ? Item : undefined;
    });
    expect(row.balanceMinor).toBe(701);
  });
});
