import type { ServiceModule } from '../../core/services.js';

/** Placeholder: its owner replaces it. */
export const scheduler: ServiceModule = {
  name: 'scheduler',
  provisioners: {},
};
