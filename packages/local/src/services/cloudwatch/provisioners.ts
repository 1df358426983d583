import { accepted, NO_OBSERVABILITY, regional } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';

/** CloudWatch: alarms are accepted; there are no metrics offline to raise them. */
export const cloudwatch: ServiceModule = {
  name: 'cloudwatch',
  provisioners: {
    'AWS::CloudWatch::Alarm': accepted(NO_OBSERVABILITY, regional('cloudwatch', 'alarm:')),
  },
};
