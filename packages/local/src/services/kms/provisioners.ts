import { accepted, NOT_ENFORCED, regional } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';

/** KMS: keys and aliases are accepted, and nothing is encrypted offline. */
export const kms: ServiceModule = {
  name: 'kms',
  provisioners: {
    'AWS::KMS::Key': accepted(NOT_ENFORCED, regional('kms', 'key/')),
    'AWS::KMS::Alias': accepted(NOT_ENFORCED, regional('kms', 'alias/')),
  },
};
