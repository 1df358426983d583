/**
 * The stage throttle: the API stage's default rate and burst (`MethodSettings` for every method), shared by
 * all requests of the stage; beyond it, 429 Too Many Requests. It applies after the usage plan's.
 */
import type { Stage } from './chain.js';
import { TokenBucket } from './token-bucket.js';
import { FAILURES } from '../failures.js';
import type { GatewayApi } from '../types.js';

/** The stage throttle of an API, as its stage is configured when the gateway starts. */
export function throttle(api: GatewayApi): Stage {
  const bucket = api.throttle ? new TokenBucket(api.throttle.rate, api.throttle.burst) : undefined;
  return () => (bucket && !bucket.take() ? FAILURES.throttled : undefined);
}
