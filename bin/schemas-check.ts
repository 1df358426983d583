#!/usr/bin/env -S npx tsx
/**
 * npm run schemas:check [-- --dir schemas] [--update-api]
 *
 * Checks every event type's versions in `schemas/` against its declared compatibility mode with Avro's
 * schema-resolution rules, and the folder's conventions. Prints each violation with the field, the rule and
 * the fix; exits 1 on any, 0 when all hold. API body schemas are compared with their snapshots in
 * `schemas/api/`: a breaking change is a problem, a compatible one is recorded with `--update-api`.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { checkSchemaFolder, formatViolation } from '../lib/schemas/compatibility';

const { values } = parseArgs({
  options: { dir: { type: 'string', default: 'schemas' }, 'update-api': { type: 'boolean', default: false } },
});
const dir = path.resolve(values.dir);
const started = performance.now();
const { violations, problems, types, versions } = checkSchemaFolder(dir, { updateApi: values['update-api'] });
const ms = (performance.now() - started).toFixed(0);
for (const line of [...problems, ...violations.map(formatViolation)]) console.error(`✗ ${line}`);
if (problems.length + violations.length > 0) {
  console.error(
    `${problems.length + violations.length} problem(s) in ${types} event types, ${versions} schema versions (${ms} ms)`,
  );
  process.exitCode = 1;
} else {
  console.log(
    `✓ ${types} event types, ${versions} schema versions: every version compatible under its mode (${ms} ms)`,
  );
}
