import type { ServiceModule } from '../core/services.js';
import { ConsoleService } from './service.js';

/**
 * The local console (`<base-url>/_console`) as a service of the runtime: it brings up no resource type, and
 * its state serves the console from the gateway.
 */
export const console: ServiceModule = {
  name: 'console',
  provisioners: {},
  state: ConsoleService,
};
