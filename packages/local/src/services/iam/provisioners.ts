import { accepted, iamArn, NOT_ENFORCED } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';

/** IAM: accepted so that templates run, never enforced offline. */
export const iam: ServiceModule = {
  name: 'iam',
  provisioners: {
    'AWS::IAM::Role': accepted(NOT_ENFORCED, iamArn('role')),
    'AWS::IAM::Policy': accepted(NOT_ENFORCED, iamArn('policy')),
    'AWS::IAM::ManagedPolicy': accepted(NOT_ENFORCED, iamArn('policy')),
  },
};
