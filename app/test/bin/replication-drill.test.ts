import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const script = path.join(root, 'app/bin/replication-drill.ts');
const tsx = path.join(root, 'node_modules/.bin/tsx');

/** Runs the drill's command in `cwd`; resolves with its exit code and output, whatever the code. */
async function drill(
  cwd: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [script, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        resolve(typeof address === 'object' && address ? address.port : 1);
      });
    });
  });
}

describe('npm run replication:drill', () => {
  it('refuses bad arguments with the usage, exit 2', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'conflux-drill-cli-'));
    const mode = await drill(cwd, '--mode', 'sync');
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('--mode must be eventual, strong or both, not "sync"');
    expect(mode.stderr).toContain('usage: npm run replication:drill');
    const writes = await drill(cwd, '--writes', '1');
    expect(writes.code).toBe(2);
    expect(writes.stderr).toContain('--writes (≥ 2)');
  });

  it('says to start the app when no runtime runs here, exit 1, no stack trace', async () => {
    // GIVEN a folder with no runtime, and one whose runtime is gone
    const none = mkdtempSync(path.join(tmpdir(), 'conflux-drill-cli-'));
    const gone = mkdtempSync(path.join(tmpdir(), 'conflux-drill-cli-'));
    mkdirSync(path.join(gone, '.conflux'));
    writeFileSync(
      path.join(gone, '.conflux', 'local.json'),
      JSON.stringify({ endpoints: { dynamodb: `http://127.0.0.1:${await closedPort()}` } }),
    );
    // THEN
    for (const cwd of [none, gone]) {
      const result = await drill(cwd, '--mode', 'eventual');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/start the app with npm start first/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
