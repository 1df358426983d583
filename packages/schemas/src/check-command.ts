import * as path from 'node:path';
import { checkSchemaFolder, formatViolation, type SchemaFolderOptions } from './compatibility.js';

/** Where {@link runSchemasCheck} writes; the terminal by default. */
export interface CheckOutput {
  out(line: string): void;
  err(line: string): void;
}

const terminal: CheckOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Checks every event type's versions in `dir` against its declared compatibility mode with Avro's
 * schema-resolution rules, the folder's conventions and any further `checks`. Prints each violation with the
 * field, the rule and the fix; returns the exit code: 1 on any problem, 0 when all hold.
 */
export function runSchemasCheck(dir: string, options: SchemaFolderOptions = {}, output = terminal): number {
  const folder = path.resolve(dir);
  const started = performance.now();
  const { violations, problems, types, versions } = checkSchemaFolder(folder, options);
  const ms = (performance.now() - started).toFixed(0);
  const lines = [...problems, ...violations.map(formatViolation)];
  for (const line of lines) output.err(`✗ ${line}`);
  if (lines.length > 0) {
    output.err(`${lines.length} problem(s) in ${types} event types, ${versions} schema versions (${ms} ms)`);
    return 1;
  }
  output.out(
    `✓ ${types} event types, ${versions} schema versions: every version compatible under its mode (${ms} ms)`,
  );
  return 0;
}
