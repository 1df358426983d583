import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run token', () => {
  it('prints a token from the command line, and refuses a missing subject', async () => {
    const root = path.resolve(import.meta.dirname, '../../..');
    const cwd = mkdtempSync(path.join(tmpdir(), 'conflux-token-cli-'));
    const script = path.join(root, 'app/bin/token.ts');
    const tsx = path.join(root, 'node_modules/.bin/tsx');
    const { stdout } = await run(tsx, [script, '--sub', 'u-9', '--scopes', 'a b', '--ttl', '15m'], { cwd });
    expect(stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const failure = await run(tsx, [script, '--scopes', 'a'], { cwd }).catch(
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('--sub is required');
  });
});
