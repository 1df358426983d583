import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);
// No .conflux/local.json here: usage errors are found before any endpoint is needed.
const cwd = mkdtempSync(path.join(tmpdir(), 'lake-commands-'));

async function command(script: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(root, script), ...args],
      {
        cwd,
        env: { ...process.env, AWS_REGION: 'us-east-1' },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `npm run lake:query` and `npm run etl` as an operator runs them: their usage errors and exit codes. */
describe('lake:query and etl commands', () => {
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it('lake:query exits 2 without --query, and with a format it does not print', async () => {
    const missing = await command('app/bin/lake-query.ts');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^--query is required\.\nusage: npm run lake:query/);
    const xml = await command('app/bin/lake-query.ts', '--query', 'q', '--format', 'xml');
    expect(xml.code).toBe(2);
    expect(xml.stderr).toMatch(/^--format must be one of table, json, csv; received "xml"\./);
  });

  it('etl exits 2 without --since, and on an instant it cannot read', async () => {
    const missing = await command('app/bin/etl.ts');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^--since is required\.\nusage: npm run etl/);
    const bad = await command('app/bin/etl.ts', '--since', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^--since must be an ISO 8601 instant such as 2026-12-01T00:00:00Z; received "yesterday"/,
    );
  });
});
