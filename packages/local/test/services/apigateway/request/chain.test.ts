import { describe, expect, it } from 'vitest';
import { FAILURES } from '../../../../src/services/apigateway/failures.js';
import { runChain, type Stage } from '../../../../src/services/apigateway/request/chain.js';
import { requestState } from './fixtures.js';

describe('runChain (the checks between routing and the integration)', () => {
  const recorder = () => {
    const ran: string[] = [];
    const stage =
      (name: string, verdict?: (typeof FAILURES)[keyof typeof FAILURES]): Stage =>
      () => {
        ran.push(name);
        return verdict;
      };
    return { ran, stage };
  };

  it('runs every stage in order and lets the request go on when none fails', async () => {
    const { ran, stage } = recorder();
    await expect(runChain([stage('a'), stage('b'), stage('c')], requestState())).resolves.toBeUndefined();
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('stops at the first failure: the stages after it do not run', async () => {
    const { ran, stage } = recorder();
    const failure = await runChain(
      [stage('authorize'), stage('key', FAILURES.invalidApiKey), stage('throttle', FAILURES.throttled)],
      requestState(),
    );
    expect(failure).toBe(FAILURES.invalidApiKey);
    expect(ran).toEqual(['authorize', 'key']);
  });

  it('waits for an asynchronous stage before the next one, and stops at its failure', async () => {
    const { ran, stage } = recorder();
    const slow: Stage = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      ran.push('slow');
      return FAILURES.unauthorized;
    };
    await expect(runChain([stage('first'), slow, stage('never')], requestState())).resolves.toBe(
      FAILURES.unauthorized,
    );
    expect(ran).toEqual(['first', 'slow']);
  });

  it('passes each stage the same state, so that what one stage adds the next one sees', async () => {
    const state = requestState();
    const seen: unknown[] = [];
    await runChain(
      [
        (s) => {
          s.authorizer = { principalId: 'p' };
          return undefined;
        },
        (s) => {
          seen.push(s.authorizer?.principalId);
          return undefined;
        },
      ],
      state,
    );
    expect(seen).toEqual(['p']);
  });
});
