import { restock } from './adapters';
import { choreographyStep } from '../shared/choreography';

/** Choreography, step 1: on `OrderCancelled`, inventory puts the order's stock back and announces `InventoryRestocked`. */
export const handler = choreographyStep({
  what: 'order event',
  effect: restock,
  announces: 'InventoryRestocked',
  summary: (outcome) => ({ restocked: outcome.restocked }),
});
