import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { useDynamoDbLocal } from '../../../test/support/dynamodb';

const root = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** `npm run cdc:snapshot` as an operator runs it: its exit codes and one-line errors. */
describe('cdc:snapshot command', () => {
  const ddb = useDynamoDbLocal();
  const cwd = mkdtempSync(path.join(tmpdir(), 'snapshot-command-'));
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  const snapshot = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(
        path.join(root, 'node_modules/.bin/tsx'),
        [path.join(root, 'app/bin/cdc-snapshot.ts'), ...args],
        { cwd, env: { ...process.env, AWS_REGION: 'us-east-1' } },
      );
      return { code: 0, stdout, stderr };
    } catch (error: unknown) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exits 2 without --table, and on a chunk that is not a positive whole number', async () => {
    expect((await snapshot()).code).toBe(2);
    const result = await snapshot('--table', 't', '--chunk', '0');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^--chunk must be a whole number of at least 1; received "0"\./);
  });

  it('exits 1 with one line for a table that does not exist', async () => {
    const result = await snapshot('--table', 'no-such-table-anywhere', '--endpoint', ddb.endpoint);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^cdc:snapshot: no table is named or contains "no-such-table-anywhere" .*\n$/,
    );
  });
});
