import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocal } from '../../../test/support/dynamodb';

const root = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** `npm run projections:rebuild` as an operator runs it: its exit codes and messages. */
describe('projections:rebuild command', () => {
  const ddb = useDynamoDbLocal();
  const rebuild = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(
        path.join(root, 'node_modules/.bin/tsx'),
        ['app/bin/projections-rebuild.ts', ...args],
        {
          cwd: root,
          env: { ...process.env, AWS_REGION: 'us-east-1' },
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error: unknown) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exits 2 naming the projections it knows when given another', async () => {
    const result = await rebuild('--projection', 'nope');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--projection must be one of accounts/);
  });

  it('exits 1 saying there is nothing to rebuild before the projector has run', async () => {
    const control = await ddb.createTable('projections', 'projection');
    const result = await rebuild(
      '--projection',
      'accounts',
      '--endpoint',
      ddb.endpoint,
      '--control-table',
      control,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/projection accounts has no control item .* nothing to rebuild/);
  });
});
