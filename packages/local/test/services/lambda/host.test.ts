import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LambdaHost } from '../../../src/services/lambda/host.js';

/** Function code placed inside this project, whose package.json says "type": "module". */
const codeDir = (files: Record<string, string>) => {
  const base = path.resolve(import.meta.dirname, '../../../../../.cache');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'fn-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
};

describe('Lambda host module loading', () => {
  const host = new LambdaHost();
  afterAll(async () => {
    await host.stop();
  });
  const register = (name: string, dir: string, handler = 'index.handler') => {
    host.register({
      name,
      arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      codeDir: dir,
      handler,
      timeoutSeconds: 3,
      memorySize: 128,
      environment: {},
    });
  };

  it('loads a CommonJS bundle as CommonJS even inside an ES-module project, as Lambda does', async () => {
    register(
      'cjs',
      codeDir({ 'index.js': 'module.exports.handler = async () => ({ kind: typeof module });' }),
    );
    expect(await host.invoke('cjs', {})).toEqual({ ok: true, payload: { kind: 'object' } });
  });

  it('loads ES modules from .mjs files and from code whose own package.json says "module"', async () => {
    register('mjs', codeDir({ 'app.mjs': 'export const handler = async () => "mjs";' }), 'app.handler');
    register(
      'esm',
      codeDir({
        'index.js': 'export const handler = async () => "esm";',
        'package.json': '{"type":"module"}',
      }),
    );
    expect(await host.invoke('mjs', {})).toEqual({ ok: true, payload: 'mjs' });
    expect(await host.invoke('esm', {})).toEqual({ ok: true, payload: 'esm' });
  });

  it('reports a missing export as Runtime.HandlerNotFound and a broken module as Runtime.ImportModuleError', async () => {
    register('missing', codeDir({ 'index.js': 'module.exports.other = () => 1;' }));
    register('broken', codeDir({ 'index.js': 'throw new Error("boom at init");' }));
    expect(await host.invoke('missing', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.HandlerNotFound' },
    });
    expect(await host.invoke('broken', {})).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.ImportModuleError', errorMessage: 'boom at init' },
    });
  });
});
