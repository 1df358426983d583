import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../support/runtime';
import { ApiGatewayParallelStepFunctionsStack } from './apps/api-gateway-parallel-step-functions/index';
import { runThirdPartyApp } from './support';

/**
 * aws-samples/aws-cdk-examples typescript/api-gateway-parallel-step-functions: a StepFunctionsRestApi in front of an
 * EXPRESS state machine running two Lambda tasks in a Parallel state (the functions in a VPC of a nested stack).
 */
// KNOWN GAP, skipped until the runtime runs it — refused at start: nested stacks (`AWS::CloudFormation::Stack`), `AWS::EC2::SecurityGroup` and Lambda `VpcConfig` are not run offline yet.
describe.skip('api-gateway-parallel-step-functions', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await runThirdPartyApp('api-gateway-parallel-step-functions', (app) => {
      new ApiGatewayParallelStepFunctionsStack(app, 'apigateway-parallel-stepfunctions-stack-2');
    });
  });
  afterAll(async () => {
    await running.stop();
  });

  // README: "The Step Functions invokes two Lambda functions in parallel. The outcomes from these two Lambda
  // functions are aggregated and returned as the response through APIGateway." Sample response:
  // { "normal":"{\"message\":\"Hello World!\"}", "fast":"{\"message\":\"Hello World zzZ! (Sleepy)\"}" }
  const sample = {
    normal: JSON.stringify({ message: 'Hello World!' }),
    fast: JSON.stringify({ message: 'Hello World zzZ! (Sleepy)' }),
  };

  it('answers GET /messages with the merged outcome of both Lambda functions', async () => {
    const response = await fetch(`${running.runtime.baseUrl ?? ''}/messages`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(sample);
  });

  it('answers the root method of the StepFunctionsRestApi the same way', async () => {
    const response = await fetch(`${running.runtime.baseUrl ?? ''}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ any: 'input' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(sample);
  });
});
