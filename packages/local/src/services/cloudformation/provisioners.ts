import type { ServiceModule } from '../../core/services.js';

/** CloudFormation custom resources: the CDK provider framework and AwsCustomResource, run at start-up. */
export const cloudformation: ServiceModule = {
  name: 'cloudformation',
  provisioners: {},
};
