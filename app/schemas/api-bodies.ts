import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { Movement, OpenAccount } from '../functions/accounts/contract';
import { PostReview, PutCategory, PutProduct } from '../functions/catalog/contract';
import { CustomerBody } from '../functions/customers/contract';
import { CreateOrderV1, CreateOrderV2 } from '../functions/orders/contract';
import { TelemetryReading, WebhookBody } from '../functions/webhooks/contract';

/** Every API route with a body, and the schema its gateway model and handler share. */
export const API_BODIES: Readonly<Record<string, z.core.$ZodType>> = {
  'POST /v1/orders': CreateOrderV1,
  'POST /v2/orders': CreateOrderV2,
  'POST /v1/accounts': OpenAccount,
  'POST /v1/accounts/{accountId}/deposits': Movement,
  'POST /v1/accounts/{accountId}/withdrawals': Movement,
  'PUT /v1/categories/{categoryId}': PutCategory,
  'PUT /v1/products/{sku}': PutProduct,
  'POST /v1/products/{sku}/reviews': PostReview,
  'POST /v1/customers': CustomerBody,
  'PUT /v1/customers/{customerId}': CustomerBody,
  'POST /v1/webhooks/{provider}': WebhookBody,
  'POST /v1/telemetry': TelemetryReading,
};

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: unknown;
  enum?: unknown[];
  items?: JsonSchema;
};

const fileOf = (route: string) =>
  `${route
    .toLowerCase()
    .replace(/[{}]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}.json`;

/** The JSON Schema (draft-04) of a route's body, as the gateway model is generated. */
export function bodySchemaOf(schema: z.core.$ZodType): JsonSchema {
  return z.toJSONSchema(schema, { target: 'draft-4', io: 'input' }) as JsonSchema;
}

/**
 * Ways a body schema change breaks clients of the same route (a new URI version is the place for those):
 * a property newly required, a property removed from a closed schema, a changed type, an enum value removed.
 */
export function breakingBodyChanges(route: string, before: JsonSchema, after: JsonSchema, at = ''): string[] {
  const where = (p: string) => `${route}: ${at}${p}`;
  const problems: string[] = [];
  if (JSON.stringify(before.type) !== JSON.stringify(after.type)) {
    problems.push(
      `${where('(value)')} type changed from ${JSON.stringify(before.type)} to ${JSON.stringify(after.type)}; clients sending the old type get 400 — add a new property or a new version instead`,
    );
  }
  const removed = (before.enum ?? []).filter((v) => !(after.enum ?? before.enum ?? []).includes(v));
  if (removed.length > 0)
    problems.push(
      `${where('(value)')} enum values ${JSON.stringify(removed)} removed; clients sending them get 400`,
    );
  for (const name of after.required ?? []) {
    if (!(before.required ?? []).includes(name)) {
      problems.push(
        `${where(name)} became required; clients that omit it get 400 — make it optional or move it to a new version`,
      );
    }
  }
  const closed = after.additionalProperties === false;
  for (const [name, schema] of Object.entries(before.properties ?? {})) {
    const now = after.properties?.[name];
    if (!now) {
      if (closed)
        problems.push(
          `${where(name)} removed from a closed schema; clients that send it get 400 — keep accepting it (and ignore it)`,
        );
      continue;
    }
    problems.push(...breakingBodyChanges(route, schema, now, `${at}${name}.`));
  }
  if (before.items && after.items)
    problems.push(...breakingBodyChanges(route, before.items, after.items, `${at}[].`));
  return problems;
}

/**
 * Compares each route's body schema with its snapshot in `<dir>/api/`. A breaking change is a problem; a
 * compatible change asks for the snapshot to be updated (`npm run schemas:check -- --update-api`), so every
 * change is seen in review. With `update`, writes the snapshots of compatible changes.
 */
export function checkApiBodies(dir: string, update = false): string[] {
  const apiDir = path.join(dir, 'api');
  const problems: string[] = [];
  for (const [route, schema] of Object.entries(API_BODIES)) {
    const file = path.join(apiDir, fileOf(route));
    const now = bodySchemaOf(schema);
    if (!existsSync(file)) {
      if (update) {
        mkdirSync(apiDir, { recursive: true });
        writeFileSync(file, `${JSON.stringify(now, null, 2)}\n`);
      } else {
        problems.push(
          `${route}: no snapshot in ${path.basename(dir)}/api/${fileOf(route)}; run npm run schemas:check -- --update-api`,
        );
      }
      continue;
    }
    const before = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
    if (JSON.stringify(before) === JSON.stringify(now)) continue;
    const breaking = breakingBodyChanges(route, before, now);
    if (breaking.length > 0) problems.push(...breaking);
    else if (update) writeFileSync(file, `${JSON.stringify(now, null, 2)}\n`);
    else
      problems.push(
        `${route}: the body schema changed compatibly; record it with npm run schemas:check -- --update-api`,
      );
  }
  return problems;
}
