import type { S3Client } from '@aws-sdk/client-s3';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';

/** S3 of one runtime: fauxqs's S3 (started by core with the other engines) and its client. */
export class S3Service implements ServiceState {
  public readonly client: S3Client;

  constructor(private readonly runtime: ServiceRuntime) {
    this.client = runtime.engines.s3;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 's3', sdkId: 'S3', url: this.runtime.engines.endpoints.s3 }];
  }
}
