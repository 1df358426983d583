import { describe, expect, it } from 'vitest';
import { buildGraph, type FlowGraph } from '../../src/graph/index.js';
import { att, functionWithPolicy, queue, ref, stack } from './fixtures.js';

const node = (graph: FlowGraph, id: string) => graph.nodes.find((n) => n.id === id);
const edge = (graph: FlowGraph, from: string, kind: string, to: string) =>
  graph.edges.find((e) => e.from === from && e.kind === kind && e.to === to);

describe('buildGraph', () => {
  it('makes a queue named by a redrive policy a dlq, with a dead-letter edge', () => {
    // GIVEN
    const stacks = [stack('app', { Orders: queue('OrdersDlq', 3), OrdersDlq: queue() })];

    // WHEN
    const graph = buildGraph(stacks);

    // THEN
    expect(node(graph, 'app/Orders')?.kind).toBe('queue');
    expect(node(graph, 'app/OrdersDlq')).toMatchObject({
      kind: 'dlq',
      type: 'AWS::SQS::Queue',
      label: 'OrdersDlq',
    });
    expect(edge(graph, 'app/Orders', 'dead-letter', 'app/OrdersDlq')).toMatchObject({
      id: 'app/Orders dead-letter app/OrdersDlq',
      crossStack: false,
      label: 'after 3 receives',
    });
  });

  it('draws an event source mapping and its on-failure destination, not the grants behind them', () => {
    // GIVEN a table stream polled by a function that sends failures to a queue
    const stacks = [
      stack('app', {
        Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
        Failures: queue(),
        ...functionWithPolicy('Projector', [
          {
            Action: ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
            Resource: att('Table', 'StreamArn'),
          },
          { Action: 'sqs:SendMessage', Resource: att('Failures') },
          {
            Action: ['dynamodb:PutItem', 'dynamodb:Query'],
            Resource: [att('View'), { 'Fn::Join': ['', [att('View'), '/index/*']] }],
          },
        ]),
        View: { Type: 'AWS::DynamoDB::GlobalTable', Properties: {} },
        Mapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            EventSourceArn: att('Table', 'StreamArn'),
            FunctionName: ref('Projector'),
            DestinationConfig: { OnFailure: { Destination: att('Failures') } },
          },
        },
      }),
    ];

    // WHEN
    const graph = buildGraph(stacks);

    // THEN
    expect(edge(graph, 'app/Table', 'event-source', 'app/Projector')).toBeDefined();
    expect(edge(graph, 'app/Projector', 'on-failure', 'app/Failures')).toBeDefined();
    expect(node(graph, 'app/Failures')?.kind).toBe('dlq');
    expect(edge(graph, 'app/Projector', 'writes', 'app/Failures')).toBeUndefined();
    expect(edge(graph, 'app/Projector', 'reads', 'app/Table')).toBeUndefined();
    expect(edge(graph, 'app/Projector', 'writes', 'app/View')?.label).toBe('PutItem');
    expect(edge(graph, 'app/Projector', 'reads', 'app/View')?.label).toBe('Query');
    expect(graph.nodes.map((n) => n.type)).not.toContain('AWS::IAM::Role');
  });

  it('follows Fn::ImportValue and Fn::GetStackOutput to the exporting stack, as cross-stack edges', () => {
    // GIVEN a topic and a queue exported by one stack, used by a function of another
    const messaging = stack(
      'messaging',
      { Events: { Type: 'AWS::SNS::Topic', Properties: {} }, Work: queue() },
      {
        EventsArn: { Value: ref('Events'), Export: { Name: 'messaging:EventsArn' } },
        WorkArn: { Value: att('Work') },
      },
    );
    const api = stack('api', {
      ...functionWithPolicy('Publisher', [
        { Action: 'sns:Publish', Resource: { 'Fn::ImportValue': 'messaging:EventsArn' } },
      ]),
      Consumer: { Type: 'AWS::Lambda::Function', Properties: {} },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::GetStackOutput': { StackName: 'messaging', OutputName: 'WorkArn' } },
          FunctionName: ref('Consumer'),
        },
      },
    });

    // WHEN
    const graph = buildGraph([messaging, api]);

    // THEN
    expect(edge(graph, 'api/Publisher', 'writes', 'messaging/Events')).toMatchObject({
      crossStack: true,
      label: 'Publish',
    });
    expect(edge(graph, 'messaging/Work', 'event-source', 'api/Consumer')?.crossStack).toBe(true);
    expect(graph.edges.filter((e) => !e.crossStack)).toEqual([]);
  });

  it('labels an SNS subscription with its filter policy and draws its redrive', () => {
    // GIVEN
    const stacks = [
      stack('app', {
        Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
        Refunds: queue(),
        SubscriptionDlq: queue(),
        Subscription: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            TopicArn: ref('Topic'),
            Endpoint: att('Refunds'),
            Protocol: 'sqs',
            FilterPolicy: { eventType: ['OrderCancelled', 'PaymentFailed'], amount: [{ numeric: ['>', 0] }] },
            RedrivePolicy: { deadLetterTargetArn: att('SubscriptionDlq') },
          },
        },
      }),
    ];

    // WHEN
    const graph = buildGraph(stacks);

    // THEN
    expect(edge(graph, 'app/Topic', 'subscription', 'app/Refunds')?.label).toBe(
      'amount: > 0; eventType: OrderCancelled|PaymentFailed',
    );
    expect(edge(graph, 'app/Topic', 'dead-letter', 'app/SubscriptionDlq')).toBeDefined();
    expect(node(graph, 'app/SubscriptionDlq')?.kind).toBe('dlq');
    expect(node(graph, 'app/Refunds')?.kind).toBe('queue');
  });

  it('reads the tasks of a state machine from its joined definition string', () => {
    // GIVEN a definition that calls a function by ARN, another through lambda:invoke, and SQS
    const definition = {
      'Fn::Join': [
        '',
        [
          '{"StartAt":"Reserve","States":{"Reserve":{"Type":"Task","Resource":"',
          att('Reserve'),
          '","Next":"Branches"},"Branches":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"arn:',
          ref('AWS::Partition'),
          ':states:::lambda:invoke","Parameters":{"FunctionName":"',
          att('Charge'),
          '","Payload.$":"$"},"End":true}}},{"StartAt":"Notify","States":{"Notify":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","Parameters":{"QueueUrl":"',
          ref('Notifications'),
          '","MessageBody.$":"$"},"End":true}}}]}}}',
        ],
      ],
    };
    const stacks = [
      stack('app', {
        Saga: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: definition } },
        Reserve: { Type: 'AWS::Lambda::Function', Properties: {} },
        Charge: { Type: 'AWS::Lambda::Function', Properties: {} },
        Notifications: queue(),
      }),
    ];

    // WHEN
    const graph = buildGraph(stacks);

    // THEN
    expect(graph.edges.filter((e) => e.kind === 'task').map((e) => [e.to, e.label])).toEqual([
      ['app/Charge', 'Charge'],
      ['app/Notifications', 'Notify'],
      ['app/Reserve', 'Reserve'],
    ]);
  });

  it('makes a route per API method, to its Lambda proxy or its SQS service integration', () => {
    // GIVEN /orders (POST → Lambda, OPTIONS → mock) and /orders/{id}/events (POST → SQS)
    const lambdaUri = {
      'Fn::Join': [
        '',
        ['arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/', att('OrdersFn'), '/invocations'],
      ],
    };
    const stacks = [
      stack('api', {
        Api: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
        Orders: {
          Type: 'AWS::ApiGateway::Resource',
          Properties: { ParentId: att('Api', 'RootResourceId'), PathPart: 'orders', RestApiId: ref('Api') },
        },
        OrderId: {
          Type: 'AWS::ApiGateway::Resource',
          Properties: { ParentId: ref('Orders'), PathPart: '{id}', RestApiId: ref('Api') },
        },
        Events: {
          Type: 'AWS::ApiGateway::Resource',
          Properties: { ParentId: ref('OrderId'), PathPart: 'events', RestApiId: ref('Api') },
        },
        OrdersPost: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            HttpMethod: 'POST',
            RestApiId: ref('Api'),
            ResourceId: ref('Orders'),
            Integration: { Type: 'AWS_PROXY', Uri: lambdaUri },
          },
        },
        OrdersOptions: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            HttpMethod: 'OPTIONS',
            RestApiId: ref('Api'),
            ResourceId: ref('Orders'),
            Integration: { Type: 'MOCK' },
          },
        },
        EventsPost: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            HttpMethod: 'POST',
            RestApiId: ref('Api'),
            ResourceId: ref('Events'),
            Integration: {
              Type: 'AWS',
              Uri: {
                'Fn::Join': [
                  '',
                  [
                    'arn:aws:apigateway:eu-west-1:sqs:path/',
                    ref('AWS::AccountId'),
                    '/',
                    att('Inbox', 'QueueName'),
                  ],
                ],
              },
              Credentials: att('IntegrationRole'),
              RequestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$input.body' },
            },
          },
        },
        OrdersFn: { Type: 'AWS::Lambda::Function', Properties: {} },
        Inbox: queue(),
        IntegrationRole: { Type: 'AWS::IAM::Role', Properties: {} },
      }),
    ];

    // WHEN
    const graph = buildGraph(stacks);

    // THEN
    const routes = graph.nodes.filter((n) => n.kind === 'route');
    expect(routes.map((r) => [r.id, r.label, r.logicalId])).toEqual([
      ['api/Api POST /orders', 'POST /orders', 'OrdersPost'],
      ['api/Api POST /orders/{id}/events', 'POST /orders/{id}/events', 'EventsPost'],
    ]);
    expect(edge(graph, 'api/Api', 'invoke', 'api/Api POST /orders')).toBeDefined();
    expect(edge(graph, 'api/Api POST /orders', 'invoke', 'api/OrdersFn')).toBeDefined();
    expect(edge(graph, 'api/Api POST /orders/{id}/events', 'writes', 'api/Inbox')?.label).toBe('SendMessage');
  });

  it('connects schedules, rules, delivery streams and bucket notifications', () => {
    // GIVEN
    const stacks = [
      stack('app', {
        Nightly: {
          Type: 'AWS::Scheduler::Schedule',
          Properties: { Target: { Arn: ref('Pipeline'), DeadLetterConfig: { Arn: att('ScheduleDlq') } } },
        },
        Pipeline: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { Definition: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } } },
        },
        ScheduleDlq: queue(),
        Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'orders' } },
        OnPlaced: {
          Type: 'AWS::Events::Rule',
          Properties: {
            EventBusName: 'orders',
            EventPattern: { 'detail-type': ['OrderPlaced'] },
            Targets: [{ Arn: att('Pipeline'), DeadLetterConfig: { Arn: att('RuleDlq') } }],
          },
        },
        RuleDlq: queue(),
        Telemetry: { Type: 'AWS::Kinesis::Stream', Properties: {} },
        ToLake: {
          Type: 'AWS::KinesisFirehose::DeliveryStream',
          Properties: {
            KinesisStreamSourceConfiguration: { KinesisStreamARN: att('Telemetry') },
            ExtendedS3DestinationConfiguration: {
              BucketARN: att('Lake'),
              ProcessingConfiguration: {
                Processors: [
                  {
                    Type: 'Lambda',
                    Parameters: [{ ParameterName: 'LambdaArn', ParameterValue: att('Transform') }],
                  },
                ],
              },
            },
          },
        },
        Lake: {
          Type: 'AWS::S3::Bucket',
          Properties: {
            NotificationConfiguration: {
              QueueConfigurations: [{ Event: 's3:ObjectCreated:*', Queue: att('Arrivals') }],
            },
            LoggingConfiguration: { DestinationBucketName: ref('Logs') },
          },
        },
        Logs: { Type: 'AWS::S3::Bucket', Properties: {} },
        Arrivals: queue(),
        Transform: { Type: 'AWS::Lambda::Function', Properties: {} },
      }),
    ];

    // WHEN
    const graph = buildGraph(stacks);

    // THEN
    expect(graph.edges.map((e) => e.id)).toEqual([
      'app/Bus subscription app/OnPlaced',
      'app/Lake notification app/Arrivals',
      'app/Nightly dead-letter app/ScheduleDlq',
      'app/Nightly target app/Pipeline',
      'app/OnPlaced dead-letter app/RuleDlq',
      'app/OnPlaced target app/Pipeline',
      'app/Telemetry event-source app/ToLake',
      'app/ToLake delivery app/Lake',
      'app/ToLake invoke app/Transform',
    ]);
    expect(edge(graph, 'app/Bus', 'subscription', 'app/OnPlaced')?.label).toBe('detail-type: OrderPlaced');
    expect(edge(graph, 'app/Lake', 'notification', 'app/Arrivals')?.label).toBe('ObjectCreated:*');
    expect(node(graph, 'app/Logs')).toBeUndefined();
    expect(node(graph, 'app/RuleDlq')?.kind).toBe('dlq');
  });

  it('leaves out custom-resource providers and noise resources', () => {
    // GIVEN
    const stacks = [
      stack('app', {
        Provider: { Type: 'AWS::Lambda::Function', Properties: {} },
        Custom: { Type: 'Custom::Thing', Properties: { ServiceToken: att('Provider') } },
        Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
        Key: { Type: 'AWS::KMS::Key', Properties: {} },
        Work: queue(),
      }),
    ];

    // WHEN
    const graph = buildGraph(stacks);

    // THEN
    expect(graph.nodes.map((n) => n.id)).toEqual(['app/Work']);
  });

  it('is deterministic: the same graph whatever the order of resources', () => {
    // GIVEN two assemblies with the same resources in opposite orders
    const resources = {
      Orders: queue('OrdersDlq'),
      OrdersDlq: queue(),
      ...functionWithPolicy('Worker', [{ Action: 'sqs:*', Resource: att('Orders') }]),
    };
    const reversed = Object.fromEntries(Object.entries(resources).reverse());

    // WHEN
    const first = buildGraph([stack('app', resources)]);
    const second = buildGraph([stack('app', reversed)]);

    // THEN
    expect(second).toEqual(first);
    expect(JSON.stringify(buildGraph([stack('app', resources)]))).toBe(JSON.stringify(first));
    expect(first.edges.map((e) => e.id)).toEqual([
      'app/Orders dead-letter app/OrdersDlq',
      'app/Worker reads app/Orders',
      'app/Worker writes app/Orders',
    ]);
  });
});
