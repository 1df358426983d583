import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '@conflux/handler-kit';
import { requireEnv } from '@conflux/handler-kit';
import { createHttpHandler, HttpError, route } from '@conflux/handler-kit';

const inventory = requireEnv('INVENTORY_TABLE_NAME');

/** `GET /v1/inventory/{sku}`: available and reserved stock. */
export const handler = createHttpHandler({
  'GET /v1/inventory/{sku}': route({
    handle: async ({ pathParameters }) => {
      const sku = pathParameters.sku ?? '';
      const { Item } = await documents.send(new GetCommand({ TableName: inventory, Key: { sku } }));
      if (!Item) throw new HttpError(404, 'SkuNotFound', `No stock record for ${sku}.`);
      return {
        status: 200,
        body: {
          sku,
          available: Item.available as number,
          reserved: Item.reserved as number,
          priceMinor: Item.priceMinor as number,
        },
      };
    },
  }),
});
