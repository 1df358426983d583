import { describe, expect, it } from 'vitest';
import { FAILURES } from '../../../../src/services/apigateway/failures.js';
import { throttle } from '../../../../src/services/apigateway/request/throttle.js';
import { api, requestState } from './fixtures.js';

describe('throttle (the stage throttle)', () => {
  it('shares one bucket among all requests of the stage', () => {
    const stage = throttle(api({ throttle: { rate: 0.001, burst: 2 } }));
    const verdicts = ['/a', '/b', '/a'].map((path) => stage(requestState({ path })));
    expect(verdicts).toEqual([undefined, undefined, FAILURES.throttled]);
  });

  it('lets every request go on for a stage with no throttle', () => {
    const stage = throttle(api());
    for (let i = 0; i < 100; i += 1) expect(stage(requestState())).toBeUndefined();
  });
});
