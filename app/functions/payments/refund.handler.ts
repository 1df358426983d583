import { refundCharge } from './adapters';
import { choreographyStep } from '../shared/choreography';

/**
 * Choreography, step 2: on `InventoryRestocked`, payments refunds the order's charge and announces
 * `PaymentRefunded` (which notifications tells the customer about).
 */
export const handler = choreographyStep({
  what: 'inventory event',
  effect: refundCharge,
  announces: 'PaymentRefunded',
  summary: (outcome) => ({ refunded: outcome.refunded }),
});
