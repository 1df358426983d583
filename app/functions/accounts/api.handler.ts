import * as z from 'zod/mini';
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { ConcurrencyError, latest, type NewEvent } from '@conflux/handler-kit/event-store';
import { eventStoreFromEnv } from '@conflux/handler-kit';
import { createHttpHandler, HttpError, route, type HttpRequest } from '@conflux/handler-kit';
import { activeTableReader } from '@conflux/handler-kit';
import { Movement, OpenAccount } from './contract';
import {
  AccountAggregate,
  accountUpcasters,
  accountView,
  AccountNotFoundError,
  deposit,
  InsufficientFundsError,
  open,
  withdraw,
  type Account,
} from './domain';

const store = eventStoreFromEnv(accountUpcasters);
const viewTable = activeTableReader('accounts');
const ATTEMPTS = 3;
const streamOf = (accountId: string) => `account-${accountId}`;

/** The caller's account id from the path, or 404 for a malformed one (ids cannot be probed). */
function accountIdOf(request: HttpRequest<unknown>): string {
  const accountId = request.pathParameters.accountId ?? '';
  if (!/^[0-9a-f-]{36}$/.test(accountId))
    throw new HttpError(404, 'AccountNotFound', `No account ${accountId}.`);
  return accountId;
}

/**
 * Load → decide → append at the loaded version. A lost race is retried transparently (reloading, so the
 * decision sees the winner's events); after {@link ATTEMPTS} losses the client gets 409. No update is lost.
 */
async function command(
  request: HttpRequest<unknown>,
  accountId: string,
  decide: (state: Account, metadata: NewEvent['metadata']) => NewEvent[],
) {
  const streamId = streamOf(accountId);
  const metadata = { correlationId: request.requestId, actor: request.caller.sub };
  for (let attempt = 1; ; attempt += 1) {
    const loaded = await store.load(streamId, AccountAggregate);
    if (loaded.version > 0 && loaded.state.owner !== request.caller.sub) {
      throw new HttpError(404, 'AccountNotFound', `No account ${accountId}.`);
    }
    try {
      const events = decide(loaded.state, metadata);
      const stored = await store.append(
        streamId,
        loaded.version === 0 ? 'no-stream' : loaded.version,
        events,
      );
      const state = stored.reduce(AccountAggregate.evolve, loaded.state);
      const version = stored.at(-1)?.version ?? loaded.version;
      await store.snapshotIfDue(streamId, AccountAggregate, loaded.version, {
        state,
        version,
        maxOccurredAt: latest([loaded.maxOccurredAt, ...stored.map((e) => e.occurredAt)]),
      });
      return accountView(accountId, state, version);
    } catch (error: unknown) {
      if (error instanceof InsufficientFundsError)
        throw new HttpError(409, 'InsufficientFunds', error.message);
      if (error instanceof AccountNotFoundError)
        throw new HttpError(404, 'AccountNotFound', `No account ${accountId}.`);
      if (!(error instanceof ConcurrencyError)) throw error;
      if (attempt >= ATTEMPTS) {
        throw new HttpError(
          409,
          'ConcurrentModification',
          'The account changed while this request ran; retry it.',
          undefined,
          {
            'Retry-After': '1',
          },
        );
      }
    }
  }
}

/**
 * `asOf`: a version from 1 up to the largest safe integer, or an ISO-8601 instant between 1970 and 9999.
 * Anything else is a 400 before the store is asked.
 */
export const AsOfParam = z.string().check(
  z.maxLength(40, 'must be an ISO-8601 instant (2026-11-25T10:00:00Z) or a version number'),
  z.refine(
    (value) => (/^[1-9]\d{0,15}$/.test(value) ? Number(value) <= Number.MAX_SAFE_INTEGER : isInstant(value)),
    'must be an ISO-8601 instant (2026-11-25T10:00:00Z) or a version number from 1',
  ),
);

/** An ISO-8601 instant from 1970 on whose calendar date exists (`Date.parse` would take 2026-02-30 as March 2). */
function isInstant(value: string): boolean {
  const date = /^(\d{4})-(\d{2})-(\d{2})T/.exec(value);
  const at = Date.parse(value);
  if (!date || !Number.isFinite(at) || at < 0) return false;
  const [, y, m, d] = date.map(Number) as [number, number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

function asOfParam(value: string | undefined) {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return { version: Number(value) };
  return { timestamp: new Date(value).toISOString() };
}

/** The accounts API: commands on the event store, reads from the projection, time travel from the store. */
export const handler = createHttpHandler({
  'POST /v1/accounts': route({
    body: OpenAccount,
    idempotent: true,
    handle: async (request) => {
      const accountId = randomUUID();
      const view = await command(request, accountId, (state, metadata) =>
        open(state, request.caller.sub, request.body.currency, metadata),
      );
      return { status: 201, body: view, headers: { Location: `/v1/accounts/${accountId}` } };
    },
  }),
  'POST /v1/accounts/{accountId}/deposits': route({
    body: Movement,
    idempotent: true,
    handle: async (request) => ({
      status: 200,
      body: await command(request, accountIdOf(request), (state, metadata) =>
        deposit(state, request.body.amountMinor, metadata),
      ),
    }),
  }),
  'POST /v1/accounts/{accountId}/withdrawals': route({
    body: Movement,
    idempotent: true,
    handle: async (request) => ({
      status: 200,
      body: await command(request, accountIdOf(request), (state, metadata) =>
        withdraw(state, request.body.amountMinor, metadata),
      ),
    }),
  }),
  'GET /v1/accounts/{accountId}': route({
    query: { asOf: AsOfParam },
    handle: async (request) => {
      const accountId = accountIdOf(request);
      const asOf = asOfParam(request.query.asOf);
      if (asOf) {
        const loaded = await store.load(streamOf(accountId), AccountAggregate, asOf);
        if (!loaded.state.exists || loaded.state.owner !== request.caller.sub) {
          throw new HttpError(
            404,
            'AccountNotFound',
            `No account ${accountId} as of ${request.query.asOf ?? ''}.`,
          );
        }
        return {
          status: 200,
          body: { ...accountView(accountId, loaded.state, loaded.version), asOf: request.query.asOf },
        };
      }
      const { Item } = await documents.send(
        new GetCommand({ TableName: await viewTable(), Key: { accountId } }),
      );
      if (!Item || Item.owner !== request.caller.sub)
        throw new HttpError(404, 'AccountNotFound', `No account ${accountId}.`);
      return {
        status: 200,
        body: {
          accountId,
          currency: Item.currency as string,
          balanceMinor: Item.balanceMinor as number,
          openedAt: Item.openedAt as string,
          version: Item.version as number,
        },
      };
    },
  }),
  'GET /v1/accounts/{accountId}/events': route({
    handle: async (request) => {
      const accountId = accountIdOf(request);
      const events = await store.read(streamOf(accountId));
      if (events[0]?.data.owner !== request.caller.sub)
        throw new HttpError(404, 'AccountNotFound', `No account ${accountId}.`);
      return {
        status: 200,
        body: {
          accountId,
          events: events.map((e) => ({
            version: e.version,
            type: e.type,
            schemaVersion: e.schemaVersion,
            data: e.data,
            occurredAt: e.occurredAt,
            eventId: e.eventId,
          })),
        },
      };
    },
  }),
});
