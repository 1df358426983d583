import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import { createHttpHandler, HttpError, route, type HttpRequest } from '@conflux/handler-kit';
import { CATEGORY_ID, PostReview, PutCategory, PutProduct, SKU } from './contract';

const categories = requireEnv('CATEGORIES_TABLE_NAME');
const products = requireEnv('PRODUCTS_TABLE_NAME');
const reviews = requireEnv('REVIEWS_TABLE_NAME');
const view = requireEnv('PRODUCT_VIEW_TABLE_NAME');

const param = (request: HttpRequest<unknown>, name: string, pattern: RegExp, what: string) => {
  const value = request.pathParameters[name] ?? '';
  if (!pattern.test(value)) throw new HttpError(404, `${what}NotFound`, `No ${what.toLowerCase()} ${value}.`);
  return value;
};
const exists = async (TableName: string, Key: Record<string, string>) =>
  (await documents.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item !== undefined;

/**
 * The catalog's command side writes plain tables (categories, products, reviews); their change streams keep
 * the denormalized product view that `GET /v1/products/{sku}` reads.
 */
export const handler = createHttpHandler({
  'PUT /v1/categories/{categoryId}': route({
    body: PutCategory,
    handle: async (request) => {
      const categoryId = param(request, 'categoryId', CATEGORY_ID, 'Category');
      await documents.send(
        new PutCommand({ TableName: categories, Item: { categoryId, name: request.body.name } }),
      );
      return { status: 200, body: { categoryId, name: request.body.name } };
    },
  }),
  'PUT /v1/products/{sku}': route({
    body: PutProduct,
    handle: async (request) => {
      const sku = param(request, 'sku', SKU, 'Product');
      if (!(await exists(categories, { categoryId: request.body.categoryId }))) {
        throw new HttpError(
          422,
          'UnknownCategory',
          `No category ${request.body.categoryId}; create it first.`,
        );
      }
      const item = { sku, ...request.body, updatedAt: new Date().toISOString() };
      await documents.send(new PutCommand({ TableName: products, Item: item }));
      return { status: 200, body: item };
    },
  }),
  'POST /v1/products/{sku}/reviews': route({
    body: PostReview,
    idempotent: true,
    handle: async (request) => {
      const sku = param(request, 'sku', SKU, 'Product');
      if (!(await exists(products, { sku })))
        throw new HttpError(404, 'ProductNotFound', `No product ${sku}.`);
      const review = { sku, reviewer: request.caller.sub, ...request.body, at: new Date().toISOString() };
      await documents.send(new PutCommand({ TableName: reviews, Item: review }));
      return { status: 201, body: review };
    },
  }),
  'GET /v1/products/{sku}': route({
    handle: async (request) => {
      const sku = param(request, 'sku', SKU, 'Product');
      const { Item } = await documents.send(new GetCommand({ TableName: view, Key: { sku } }));
      if (!Item) throw new HttpError(404, 'ProductNotFound', `No product ${sku}.`);
      return { status: 200, body: Item };
    },
  }),
});
