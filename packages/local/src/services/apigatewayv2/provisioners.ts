import type { ServiceModule } from '../../core/services.js';

/** API Gateway HTTP APIs (AWS::ApiGatewayV2::*). */
export const apigatewayv2: ServiceModule = {
  name: 'apigatewayv2',
  provisioners: {},
};
