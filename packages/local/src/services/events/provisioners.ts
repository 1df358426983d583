import type { ServiceModule } from '../../core/services.js';

/** EventBridge: buses, rules, targets, PutEvents and scheduled rules. */
export const events: ServiceModule = {
  name: 'events',
  provisioners: {},
};
