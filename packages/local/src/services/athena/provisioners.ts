import type { ServiceModule } from '../../core/services.js';

/** Placeholder: its owner replaces it. */
export const athena: ServiceModule = {
  name: 'athena',
  provisioners: {},
};
