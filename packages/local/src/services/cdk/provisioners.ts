import { accepted, regional } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';

/** The CDK's own resources: its metadata, which has no runtime meaning. */
export const cdk: ServiceModule = {
  name: 'cdk',
  provisioners: {
    'AWS::CDK::Metadata': accepted('CDK metadata has no runtime meaning', regional('cloudformation', '')),
  },
};
