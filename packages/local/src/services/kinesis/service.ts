import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';

/** Kinesis of one runtime: kinesalite (started by core with the other engines) and its client. */
export class KinesisService implements ServiceState {
  public readonly client: KinesisClient;

  constructor(private readonly runtime: ServiceRuntime) {
    this.client = runtime.engines.kinesis;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'kinesis', sdkId: 'KINESIS', url: this.runtime.engines.endpoints.kinesis }];
  }
}
