import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaHost, type LambdaHostOptions } from '../../../src/services/lambda/host.js';

/** Function code in a fresh folder. */
const codeDir = (files: Record<string, string>) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'conflux-init-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
};

/** A module scope that blocks for `ms` while it loads, as a heavy bundle's cold start does. */
const slowInit = (ms: number, body = 'exports.handler = async () => "served";') =>
  `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});\n${body}`;

describe('Lambda host: the init phase and the invocation timeout', () => {
  let host: LambdaHost | undefined;
  const lines: string[] = [];
  afterEach(async () => {
    await host?.stop();
    lines.length = 0;
  });
  const start = (options: LambdaHostOptions = {}) => {
    host = new LambdaHost({ log: (line) => lines.push(line), ...options });
    return host;
  };
  const register = (h: LambdaHost, name: string, code: string, timeoutSeconds = 1) => {
    h.register({
      name,
      arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      codeDir: codeDir({ 'index.js': code }),
      handler: 'index.handler',
      timeoutSeconds,
      memorySize: 128,
      environment: {},
    });
  };

  it('does not count a module that loads for longer than the timeout against the invocation', async () => {
    // GIVEN a function with a 1 s timeout whose module takes 1.5 s to load
    const h = start();
    register(h, 'heavy', slowInit(1500));
    // WHEN it is invoked cold
    const result = await h.invoke('heavy', {});
    // THEN the handler runs: the invocation's clock started once the module had loaded
    expect(result).toEqual({ ok: true, payload: 'served' });
    expect(h.stats('heavy')).toEqual({ invocations: 1, coldStarts: 1 });
  });

  it('goes on with an init that overruns its limit within the invocation timeout, as Lambda retries it', async () => {
    // GIVEN an init limit of 200 ms, a module that loads in 600 ms and a timeout of 10 s
    const h = start({ initTimeoutMs: 200 });
    register(h, 'overrun', slowInit(600), 10);
    // WHEN it is invoked
    const result = await h.invoke('overrun', {});
    // THEN the init finished within the invocation's timeout and the handler ran
    expect(result).toEqual({ ok: true, payload: 'served' });
    expect(lines.some((l) => l.includes('overrun: INIT_REPORT') && l.includes('Status: timeout'))).toBe(true);
  });

  it('times the invocation out when the init overruns both its limit and the function timeout', async () => {
    // GIVEN an init limit of 100 ms, a timeout of 1 s and a module that takes 3 s to load
    const h = start({ initTimeoutMs: 100 });
    register(h, 'stuck', slowInit(3000));
    // WHEN it is invoked
    const result = await h.invoke('stuck', {});
    // THEN Lambda's timeout error comes back and the environment is ended
    expect(result).toMatchObject({
      ok: false,
      error: {
        errorType: 'Sandbox.Timedout',
        errorMessage: expect.stringMatching(
          /^RequestId: \S+ Error: Task timed out after 1\.00 seconds$/,
        ) as unknown,
      },
    });
  });

  it('ends the environment after a timeout, so the next invocation starts from a fresh module scope', async () => {
    // GIVEN a handler that counts its invocations in module scope and can hang
    const h = start();
    register(
      h,
      'counter',
      'let n = 0; exports.handler = async (e) => { n += 1; if (e.hang) await new Promise(() => {}); return n; };',
    );
    expect(await h.invoke('counter', {})).toEqual({ ok: true, payload: 1 });
    // WHEN an invocation hangs past the timeout
    const timedOut = await h.invoke('counter', { hang: true });
    // THEN it times out, and the next invocation cold-starts with its module scope run again
    expect(timedOut).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout' } });
    expect(await h.invoke('counter', {})).toEqual({ ok: true, payload: 1 });
    expect(h.stats('counter')).toEqual({ invocations: 3, coldStarts: 2 });
  });

  it('retries a failed init at the next invocation, as Lambda does', async () => {
    // GIVEN a module that fails to load the first time only (it leaves a marker file)
    const h = start();
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'conflux-marker-')), 'tried');
    register(
      h,
      'flaky',
      `const fs = require('node:fs');
       if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, '1'); throw new Error('first load fails'); }
       exports.handler = async () => 'loaded';`,
    );
    // WHEN it is invoked twice
    const first = await h.invoke('flaky', {});
    const second = await h.invoke('flaky', {});
    // THEN the first reports the init error, the second ran a new init that succeeded
    expect(first).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.ImportModuleError', errorMessage: 'first load fails' },
    });
    expect(second).toEqual({ ok: true, payload: 'loaded' });
    expect(h.stats('flaky').coldStarts).toBe(2);
  });
});
