import type { SNSClient } from '@aws-sdk/client-sns';
import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';
import { SnsLambdaBridge, type SnsLambdaSubscription } from './lambda-bridge.js';

/** SNS of one runtime: fauxqs's SNS (started by core with the other engines), its client, and the Lambda subscriptions. */
export class SnsService implements ServiceState {
  public readonly client: SNSClient;
  /** SNS → Lambda subscriptions: an internal queue subscribed to the topic, drained into async invokes. */
  private readonly lambdaSubscriptions: SnsLambdaSubscription[] = [];
  private readonly bridges: SnsLambdaBridge[] = [];

  constructor(private readonly runtime: ServiceRuntime) {
    this.client = runtime.engines.sns;
  }

  /** Records a Lambda subscription, whose bridge starts once everything exists. */
  public addLambdaSubscription(subscription: SnsLambdaSubscription): void {
    this.lambdaSubscriptions.push(subscription);
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'sns', sdkId: 'SNS', url: this.runtime.engines.endpoints.sns }];
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  public async start(): Promise<void> {
    const { asyncInvoker } = this.runtime.service(LambdaService);
    for (const subscription of this.lambdaSubscriptions) {
      const bridge = new SnsLambdaBridge(this.runtime.engines.sqs, asyncInvoker, subscription);
      bridge.start();
      this.bridges.push(bridge);
    }
  }

  public async halt(): Promise<void> {
    await Promise.allSettled(this.bridges.map((b) => b.stop()));
  }
}
