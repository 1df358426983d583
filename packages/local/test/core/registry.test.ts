import { describe, expect, it } from 'vitest';
import type { AssemblyStack, CfnResource } from '../../src/core/cloud-assembly.js';
import { PROVISIONERS, provisionersOf, SERVICES, unsupported } from '../../src/core/registry.js';
import { accepted, regional } from '../../src/core/provisioning.js';
import { LOCAL_ENV } from '../../src/core/runtime.js';
import {
  ServiceSet,
  type ServiceModule,
  type ServiceRuntime,
  type ServiceState,
} from '../../src/core/services.js';

/** Every resource type the runtime supported before the services were split into their own folders. */
const SUPPORTED_BEFORE_THE_SPLIT = [
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::Model',
  'AWS::ApiGateway::Authorizer',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Account',
  'AWS::WAFv2::WebACL',
  'AWS::WAFv2::WebACLAssociation',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::SNS::Subscription',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::StepFunctions::StateMachine',
  'AWS::Kinesis::Stream',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  'AWS::CloudWatch::Alarm',
  'AWS::CDK::Metadata',
  'AWS::Glue::Registry',
  'AWS::Glue::Schema',
  'AWS::Glue::SchemaVersion',
];

const stackOf = (resources: Record<string, CfnResource>): AssemblyStack => ({
  id: 'Shop',
  stackName: 'shop-dev',
  template: { Resources: resources },
  assetsByObjectKey: new Map(),
  dependencies: [],
});

describe('the service registry', () => {
  it('still supports every resource type it supported, each by exactly one service: the one its namespace names', () => {
    for (const type of SUPPORTED_BEFORE_THE_SPLIT) {
      // GIVEN the services that provision the type
      const owners = SERVICES.filter((s) => type in s.provisioners).map((s) => s.name);

      // THEN there is one, its folder is the type's namespace (AWS::SQS::Queue → services/sqs), and the table has it
      expect({ type, owners }).toEqual({ type, owners: [type.split('::')[1]?.toLowerCase()] });
      expect(PROVISIONERS[type]).toBe(SERVICES.find((s) => s.name === owners[0])?.provisioners[type]);
    }
  });

  it('has one table entry per service provisioner, each in the folder of its namespace, and no service twice', () => {
    const names = SERVICES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(PROVISIONERS).length).toBe(
      SERVICES.reduce((n, s) => n + Object.keys(s.provisioners).length, 0),
    );
    const misplaced = SERVICES.flatMap((s) =>
      Object.keys(s.provisioners)
        // CDK's custom resource types (Custom::S3BucketNotifications, Custom::LogRetention) live with the service they act on.
        .filter((type) => !type.startsWith('Custom::') && type.split('::')[1]?.toLowerCase() !== s.name)
        .map((type) => `${type} in services/${s.name}`),
    );
    expect(misplaced).toEqual([]);
  });

  it('refuses a resource type two services claim, naming both', () => {
    // GIVEN two services that both provision AWS::SQS::Queue
    const queue = accepted('test', regional('sqs', ''));
    const one: ServiceModule = { name: 'sqs', provisioners: { 'AWS::SQS::Queue': queue } };
    const other: ServiceModule = { name: 'queues', provisioners: { 'AWS::SQS::Queue': queue } };

    // THEN composing the table fails with both folders named
    expect(() => provisionersOf([one, other])).toThrow(
      'AWS::SQS::Queue is provisioned by both services/sqs and services/queues',
    );
  });

  it('names the stack, logical id, type and property of everything it cannot run', () => {
    // GIVEN a template with an unknown type, an unknown property, and properties a provisioner applies or accepts
    const stack = stackOf({
      Cluster: { Type: 'AWS::ECS::Cluster', Properties: {} },
      Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30, Tags: [], Colour: 'blue' } },
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, Anything: 1 } },
    });

    // THEN each problem names where it is
    expect(unsupported(stack, LOCAL_ENV)).toEqual([
      'shop-dev/Cluster (AWS::ECS::Cluster): resource type AWS::ECS::Cluster is not supported by the offline runtime',
      'shop-dev/Queue (AWS::SQS::Queue): property Colour is not supported by the offline runtime',
    ]);
  });
});

describe('ServiceSet', () => {
  const runtime = {} as Omit<ServiceRuntime, 'service' | 'endpoints'>;
  const calls: string[] = [];

  class Queues implements ServiceState {
    public readonly urls = new Map<string, string>();
    constructor() {
      calls.push('make Queues');
    }
    // eslint-disable-next-line @typescript-eslint/require-await
    public async listen() {
      return [{ name: 'queues', sdkId: 'SQS', url: 'http://127.0.0.1:1' }];
    }
    // eslint-disable-next-line @typescript-eslint/require-await
    public async halt() {
      calls.push('halt Queues');
    }
    // eslint-disable-next-line @typescript-eslint/require-await
    public async stop() {
      calls.push('stop Queues');
    }
  }
  class Functions implements ServiceState {
    public readonly queues: Queues;
    public seen: string[] = [];
    constructor(services: ServiceRuntime) {
      calls.push('make Functions');
      this.queues = services.service(Queues);
      this.seen = services.endpoints().map((e) => e.name);
    }
    // eslint-disable-next-line @typescript-eslint/require-await
    public async start() {
      calls.push('start Functions');
    }
    // eslint-disable-next-line @typescript-eslint/require-await
    public async close() {
      calls.push('close Functions');
    }
    // eslint-disable-next-line @typescript-eslint/require-await
    public async stop() {
      calls.push('stop Functions');
    }
  }
  const module = (name: string, state: ServiceModule['state']): ServiceModule => ({
    name,
    state,
    provisioners: {},
  });

  it('makes a service another one reaches first, once, and runs the hooks in registry order', async () => {
    // GIVEN functions listed before the queues they reach
    calls.length = 0;
    const services = new ServiceSet([module('functions', Functions), module('queues', Queues)], runtime);

    // WHEN the runtime makes, listens, starts and stops them
    services.create();
    const endpoints = await services.listen();
    await services.start();
    await services.stop();

    // THEN the queues were made once, for the functions, and every hook ran in its phase
    expect(services.get(Functions).queues).toBe(services.get(Queues));
    expect(endpoints.map((e) => e.name)).toEqual(['queues']);
    expect(calls).toEqual([
      'make Functions',
      'make Queues',
      'start Functions',
      'close Functions',
      'halt Queues',
      'stop Queues',
      'stop Functions',
    ]);
  });

  it('refuses the state of a service that is not registered, and services that reach each other in a cycle', () => {
    class Chicken {
      constructor(services: ServiceRuntime) {
        services.service(Egg);
      }
    }
    class Egg {
      constructor(services: ServiceRuntime) {
        services.service(Chicken);
      }
    }
    expect(() => new ServiceSet([], runtime).get(Queues)).toThrow(
      'Queues is not the state of a registered service',
    );
    const cyclic = new ServiceSet([module('chicken', Chicken), module('egg', Egg)], runtime);
    expect(() => {
      cyclic.create();
    }).toThrow('services reach each other in a cycle: Chicken → Egg → Chicken');
  });
});
