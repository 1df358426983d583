/**
 * The request chain: the checks a routed request passes, in order, before its integration. Each stage reads
 * the request state (and may add to it: the authorizer's context, the API key, a validation error) and
 * answers undefined to let the request go on, or the failure the gateway answers instead. The first failure
 * ends the chain: the stages after it do not run.
 */
import type { GatewayFailure } from '../failures.js';
import type { RequestState } from '../types.js';

/** A stage's answer: undefined to go on, or the failure that stops the request. */
export type Verdict = GatewayFailure | undefined;

/** One stage of the chain. */
export type Stage = (state: RequestState) => Verdict | Promise<Verdict>;

/** What a step that makes something (a route, a response) answers instead when it fails. */
export interface Failed {
  readonly failure: GatewayFailure;
}

/** Runs the stages in order; the first failure, or undefined when every stage let the request go on. */
export async function runChain(stages: readonly Stage[], state: RequestState): Promise<Verdict> {
  for (const stage of stages) {
    const failure = await stage(state);
    if (failure) return failure;
  }
  return undefined;
}
