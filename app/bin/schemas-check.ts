#!/usr/bin/env -S npx tsx
/**
 * npm run schemas:check [-- --dir app/schemas] [--update-api]
 *
 * Checks every event type's versions in `app/schemas/` against its declared compatibility mode with Avro's
 * schema-resolution rules, and the folder's conventions. Prints each violation with the field, the rule and
 * the fix; exits 1 on any, 0 when all hold. API body schemas are compared with their snapshots in
 * `app/schemas/api/`: a breaking change is a problem, a compatible one is recorded with `--update-api`.
 */
import { parseArgs } from 'node:util';
import { runSchemasCheck } from '@conflux/schemas';
import { checkApiBodies } from '../schemas/api-bodies';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: 'app/schemas' },
    'update-api': { type: 'boolean', default: false },
  },
});
process.exitCode = runSchemasCheck(values.dir, { checks: [checkApiBodies], update: values['update-api'] });
