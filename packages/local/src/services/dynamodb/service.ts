import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';

/** DynamoDB of one runtime: DynamoDB Local (started by core with the other engines) and its client. */
export class DynamoDbService implements ServiceState {
  public readonly client: DynamoDBClient;

  constructor(private readonly runtime: ServiceRuntime) {
    this.client = runtime.engines.dynamodb;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'dynamodb', sdkId: 'DYNAMODB', url: this.runtime.engines.endpoints.dynamodb }];
  }
}
