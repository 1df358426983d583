import { accepted, NO_OBSERVABILITY, regional } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';

/** CloudWatch Logs: log groups are accepted; functions log to the terminal. */
export const logs: ServiceModule = {
  name: 'logs',
  provisioners: {
    'AWS::Logs::LogGroup': accepted(NO_OBSERVABILITY, regional('logs', 'log-group:')),
  },
};
