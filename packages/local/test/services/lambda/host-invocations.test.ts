import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INVOCATIONS_KEPT, LambdaHost, type InvocationRecord } from '../../../src/services/lambda/host.js';

/** Function code placed inside this project (so that the provided SDK resolves as in the other host tests). */
const codeDir = (files: Record<string, string>) => {
  const base = path.resolve(import.meta.dirname, '../../../../../.cache');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(path.join(base, 'fn-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
};

describe('Lambda host invocation log', () => {
  const host = new LambdaHost({ log: () => undefined });
  afterAll(async () => {
    await host.stop();
  });
  const register = (name: string, dir: string, timeoutSeconds = 3) => {
    host.register({
      name,
      arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      codeDir: dir,
      handler: 'index.handler',
      timeoutSeconds,
      memorySize: 128,
      environment: {},
    });
  };

  it('records each invocation with its outcome, cold start and the lines it wrote, init lines first', async () => {
    // GIVEN a function that logs at init and at each invocation
    register(
      'logger',
      codeDir({
        'index.js': [
          'console.log("init line");',
          'module.exports.handler = async (event) => {',
          '  console.log("got", event.n);',
          '  process.stderr.write("to stderr\\nsecond\\n");',
          '  return event.n;',
          '};',
        ].join('\n'),
      }),
    );
    const seen: InvocationRecord[] = [];
    const unsubscribe = host.onInvocation((r) => seen.push(r));

    // WHEN it is invoked twice
    await host.invoke('logger', { n: 1 });
    await host.invoke('logger', { n: 2 });
    unsubscribe();
    await host.invoke('logger', { n: 3 });

    // THEN the log holds both, newest last, with their own lines
    const [first, second, third] = host.invocations('logger');
    expect(first).toMatchObject({
      functionName: 'logger',
      outcome: 'ok',
      coldStart: true,
      logs: ['init line', 'got 1', 'to stderr', 'second'],
    });
    expect(second).toMatchObject({ outcome: 'ok', coldStart: false, logs: ['got 2', 'to stderr', 'second'] });
    expect(third?.logs).toEqual(['got 3', 'to stderr', 'second']);
    expect(first?.requestId).not.toEqual(second?.requestId);
    expect(first?.durationMs).toBeGreaterThanOrEqual(0);
    // AND the listener saw the two invocations made while it was subscribed
    expect(seen.map((r) => r.requestId)).toEqual([first?.requestId, second?.requestId]);
  });

  it('records errors and timeouts with their message', async () => {
    // GIVEN a function that fails and one that hangs
    register(
      'failing',
      codeDir({ 'index.js': 'module.exports.handler = async () => { throw new TypeError("bad"); };' }),
    );
    register('hanging', codeDir({ 'index.js': 'module.exports.handler = () => new Promise(() => {});' }), 1);

    // WHEN both are invoked
    await host.invoke('failing', {});
    await host.invoke('hanging', {});

    // THEN their records say how they ended
    expect(host.invocations('failing')[0]).toMatchObject({ outcome: 'error', error: 'TypeError: bad' });
    expect(host.invocations('hanging')[0]).toMatchObject({ outcome: 'timeout' });
    expect(host.invocations('hanging')[0]?.error).toMatch(/^Sandbox.Timedout: .*Task timed out/);
    // AND the log of all functions holds them too
    expect(host.invocations().map((r) => r.functionName)).toEqual(
      expect.arrayContaining(['logger', 'failing', 'hanging']),
    );
  });

  it(`keeps the last ${INVOCATIONS_KEPT} invocations of a function`, async () => {
    // GIVEN a function invoked more times than are kept
    register('many', codeDir({ 'index.js': 'module.exports.handler = async (e) => e;' }));
    for (let i = 0; i < INVOCATIONS_KEPT + 5; i += 1) await host.invoke('many', i);

    // THEN only the newest are kept
    expect(host.invocations('many')).toHaveLength(INVOCATIONS_KEPT);
  });

  it('reload swaps the code: the next invocation cold-starts on the new code', async () => {
    // GIVEN a function that ran once
    register('swapped', codeDir({ 'index.js': 'module.exports.handler = async () => "old";' }));
    expect(await host.invoke('swapped', {})).toEqual({ ok: true, payload: 'old' });

    // WHEN its code is reloaded
    await host.reload('swapped', codeDir({ 'index.js': 'module.exports.handler = async () => "new";' }));

    // THEN it answers with the new code, from a new environment
    expect(await host.invoke('swapped', {})).toEqual({ ok: true, payload: 'new' });
    expect(host.invocations('swapped').map((r) => r.coldStart)).toEqual([true, true]);
  });

  it('reload lets an invocation in flight finish on the old code', async () => {
    // GIVEN an invocation in flight
    register(
      'slow',
      codeDir({
        'index.js': 'module.exports.handler = () => new Promise((r) => setTimeout(() => r("old"), 300));',
      }),
    );
    const inFlight = host.invoke('slow', {});
    await new Promise((r) => setTimeout(r, 100));

    // WHEN the code is reloaded meanwhile
    await host.reload('slow', codeDir({ 'index.js': 'module.exports.handler = async () => "new";' }));

    // THEN the running invocation ends with the old answer and the next gets the new one
    expect(await inFlight).toEqual({ ok: true, payload: 'old' });
    expect(await host.invoke('slow', {})).toEqual({ ok: true, payload: 'new' });
  });
});
