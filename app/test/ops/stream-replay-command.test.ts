import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import kinesalite from 'kinesalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** `npm run stream:replay` as an operator runs it: its exit codes and one-line errors. */
describe('stream:replay command', () => {
  let endpoint: string;
  let close: () => void;
  let cwd: string;

  beforeAll(async () => {
    const server = kinesalite({ createStreamMs: 0 });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    endpoint = `http://127.0.0.1:${address && typeof address === 'object' ? address.port : 0}`;
    close = () => server.close();
    // No .conflux/local.json here: the command goes where --endpoint says.
    cwd = mkdtempSync(path.join(tmpdir(), 'replay-command-'));
  });

  afterAll(() => {
    close();
    rmSync(cwd, { recursive: true, force: true });
  });

  const replay = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run(
        path.join(root, 'node_modules/.bin/tsx'),
        [path.join(root, 'app/bin/stream-replay.ts'), ...args],
        { cwd, env: { ...process.env, AWS_REGION: 'us-east-1' } },
      );
      return { code: 0, stdout, stderr };
    } catch (error: unknown) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('exits 2 naming the missing flags', async () => {
    const result = await replay('--stream', 's');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^--from, --into required\./);
  });

  it('exits 2 on an instant it cannot read', async () => {
    const result = await replay('--stream', 's', '--from', '2024-13-01', '--into', 'q');
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'stream:replay: --from "2024-13-01" is neither an ISO 8601 instant (2024-05-01T12:00:00Z, with Z or an offset) nor a sequence number (digits).',
    );
  });

  it('exits 1 with one line for a stream that does not exist', async () => {
    const result = await replay(
      '--stream',
      'nope',
      '--from',
      '2024-01-01',
      '--into',
      'q',
      '--endpoint',
      endpoint,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'stream:replay: stream nope does not exist: check the name, region and endpoint.\n',
    );
  });
});
