import { accepted, regional } from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';

const NO_SIGN_IN =
  'there is no Cognito offline to sign in to: JWT authorizers naming the pool as issuer trust the dev issuer’s keys, so tokens come from issueDevToken with the pool’s issuer URL and the client id as audience';

/**
 * Cognito user pools and their clients: accepted with no local effect, so an HTTP API whose JWT authorizer
 * names a pool as its issuer runs; `Ref` of a pool is its id, of a client the client id.
 */
export const cognito: ServiceModule = {
  name: 'cognito',
  provisioners: {
    'AWS::Cognito::UserPool': accepted(NO_SIGN_IN, regional('cognito-idp', 'userpool/')),
    'AWS::Cognito::UserPoolClient': accepted(NO_SIGN_IN, regional('cognito-idp', 'userpoolclient/')),
    'AWS::Cognito::UserPoolDomain': accepted(NO_SIGN_IN, regional('cognito-idp', 'userpooldomain/')),
  },
};
