import { sagaStep } from '../shared/saga';
import { charge, refund } from './adapters';

/** The payments service's saga step: `charge`, compensated by `refund`. */
export const handler = sagaStep({ charge, refund });
