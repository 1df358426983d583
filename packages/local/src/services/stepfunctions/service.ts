import type { ServiceEndpoint, ServiceRuntime, ServiceState } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';
import { StepFunctionsApi } from './api.js';
import { StepFunctionsEngine } from './engine.js';

/** Step Functions of one runtime: the engine that runs the state machines, and its API. */
export class StepFunctionsService implements ServiceState {
  public readonly engine: StepFunctionsEngine;
  private readonly api: StepFunctionsApi;

  constructor(runtime: ServiceRuntime) {
    const { engines } = runtime;
    this.engine = new StepFunctionsEngine({
      host: runtime.service(LambdaService).host,
      dynamodb: engines.dynamodb,
      sqs: engines.sqs,
      sns: engines.sns,
    });
    this.api = new StepFunctionsApi(this.engine);
  }

  public async listen(): Promise<readonly ServiceEndpoint[]> {
    return [{ name: 'stepfunctions', sdkId: 'SFN', url: await this.api.listen() }];
  }

  public async close(): Promise<void> {
    await this.api.close();
  }
}
