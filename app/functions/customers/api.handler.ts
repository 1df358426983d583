import { randomUUID } from 'node:crypto';
import { requireEnv } from '@conflux/handler-kit';
import { createHttpHandler, HttpError, route, type HttpRequest } from '@conflux/handler-kit';
import { customerStore, searchView } from './adapters';
import { CUSTOMER_ID, CustomerBody, MAX_QUERY_LENGTH, SearchQuery } from './contract';
import { customerOf, queryWords } from './domain';

const customers = customerStore(requireEnv('CUSTOMERS_TABLE_NAME'));
const search = searchView(requireEnv('SEARCH_TABLE_NAME'));

/** The customer id from the path, or 404 for one that cannot be a customer's (ids are UUIDs). */
function customerIdOf(request: HttpRequest<unknown>): string {
  const customerId = request.pathParameters.customerId ?? '';
  if (!CUSTOMER_ID.test(customerId)) {
    throw new HttpError(404, 'CustomerNotFound', `No customer ${customerId}.`);
  }
  return customerId;
}

const notFound = (customerId: string) => new HttpError(404, 'CustomerNotFound', `No customer ${customerId}.`);

/**
 * The customers' CRUD routes on their source table, and search on the search view that the table's change
 * events keep (eventually consistent: a change shows in search once its event has reached the view).
 */
export const handler = createHttpHandler({
  'POST /v1/customers': route({
    body: CustomerBody,
    idempotent: true,
    handle: async (request) => {
      const customer = customerOf({ customerId: randomUUID(), ...request.body });
      await customers.create(customer);
      return { status: 201, body: customer };
    },
  }),
  'PUT /v1/customers/{customerId}': route({
    body: CustomerBody,
    handle: async (request) => {
      const customerId = customerIdOf(request);
      const customer = await customers.replace(customerId, request.body);
      if (!customer) throw notFound(customerId);
      return { status: 200, body: customer };
    },
  }),
  'DELETE /v1/customers/{customerId}': route({
    handle: async (request) => {
      const customerId = customerIdOf(request);
      if (!(await customers.remove(customerId))) throw notFound(customerId);
      return { status: 204 };
    },
  }),
  'GET /v1/customers/{customerId}': route({
    handle: async (request) => {
      const customerId = customerIdOf(request);
      const customer = await customers.get(customerId);
      if (!customer) throw notFound(customerId);
      return { status: 200, body: customer };
    },
  }),
  'GET /v1/customers/search': route({
    query: { q: SearchQuery },
    handle: async (request) => {
      const q = request.query.q;
      if (q === undefined) {
        throw new HttpError(
          400,
          'InvalidQueryParameter',
          `Give the query as q (1 to ${MAX_QUERY_LENGTH} characters).`,
        );
      }
      const words = queryWords(q);
      if (words.length === 0) {
        throw new HttpError(
          400,
          'InvalidQueryParameter',
          'q holds no word to search for (letters, digits or an e-mail address).',
        );
      }
      return { status: 200, body: { items: await search.search(words) } };
    },
  }),
});
