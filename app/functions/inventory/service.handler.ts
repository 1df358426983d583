import { sagaStep } from '../shared/saga';
import { reserve, release } from './adapters';

/** The inventory service's saga step: `reserve`, compensated by `release`. */
export const handler = sagaStep({ reserve, release });
