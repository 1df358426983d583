import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildConfluxApp } from '../../app';
import { cdkJsonContext } from '../../../test/support/cdk';

const root = path.resolve(import.meta.dirname, '../../..');

/** A copy of `app/schemas/` where OrderConfirmed v2's new field has lost its default. */
function brokenCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'schemas-'));
  cpSync(path.join(root, 'app/schemas'), dir, { recursive: true });
  const file = path.join(dir, 'order-confirmed.v2.avsc');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as { fields: { name: string; default?: unknown }[] };
  for (const field of schema.fields) if (field.name === 'channel') delete field.default;
  writeFileSync(file, JSON.stringify(schema));
  return dir;
}

describe('schema gates', () => {
  it('fails synth on a schema change that breaks its declared mode, with the checker’s message', () => {
    const app = new App({
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], 'conflux:schemasDir': brokenCopy() },
    });
    expect(() => buildConfluxApp(app)).toThrow(
      /OrderConfirmed v2 vs v1 \(backward\): field `channel` added without a default[\s\S]*fix: add "default": ""/,
    );
  });

  it('makes npm run schemas:check exit 1 on the broken copy and 0 on the project’s schemas', async () => {
    const run = promisify(execFile);
    const tsx = path.join(root, 'node_modules/.bin/tsx');
    await expect(
      run(tsx, ['app/bin/schemas-check.ts', '--dir', brokenCopy()], { cwd: root }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/✗ OrderConfirmed v2 vs v1 \(backward\): field `channel`/) as unknown,
    });
    const { stdout } = await run(tsx, ['app/bin/schemas-check.ts'], { cwd: root });
    expect(stdout).toMatch(/✓ 8 event types, 10 schema versions/);
  });
});
