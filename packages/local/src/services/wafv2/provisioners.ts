import { accepted, regional } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';

const NOT_EVALUATED = 'WAF rules are not evaluated offline';
// The ARN under `apigateway` is what the runtime has always answered for these; nothing offline reads it.
const arnOf = regional('apigateway', '');

/** WAF: web ACLs and their associations are accepted; their rules are not evaluated offline. */
export const wafv2: ServiceModule = {
  name: 'wafv2',
  provisioners: {
    'AWS::WAFv2::WebACL': accepted(NOT_EVALUATED, arnOf),
    'AWS::WAFv2::WebACLAssociation': accepted(NOT_EVALUATED, arnOf),
  },
};
