import type { GraphBuilder } from './builder.js';
import { isObject } from './references.js';
import { summarizePattern } from './summaries.js';

/**
 * The edges that resources declare between themselves: redrive policies, subscriptions, event source
 * mappings and their failure destinations, asynchronous-invocation destinations, Kinesis streaming
 * destinations of tables, delivery streams, EventBridge rules, schedules, bucket notifications and pipes.
 */
export function addMessagingFlows(builder: GraphBuilder): void {
  addQueues(builder);
  addSubscriptions(builder);
  addLambdaSources(builder);
  addTables(builder);
  addDeliveryStreams(builder);
  addRulesAndSchedules(builder);
  addBucketNotifications(builder);
  addPipes(builder);
}

function addQueues(builder: GraphBuilder): void {
  for (const { stack, logicalId, properties } of builder.resources('AWS::SQS::Queue')) {
    const redrive = properties.RedrivePolicy;
    if (!isObject(redrive)) continue;
    for (const dlq of builder.nodesIn(stack, redrive.deadLetterTargetArn)) {
      const count = redrive.maxReceiveCount;
      builder.addEdge(
        `${stack}/${logicalId}`,
        dlq,
        'dead-letter',
        typeof count === 'number' || typeof count === 'string'
          ? `after ${String(count)} receives`
          : undefined,
      );
    }
  }
}

function addSubscriptions(builder: GraphBuilder): void {
  for (const { stack, properties } of builder.resources('AWS::SNS::Subscription')) {
    const label = summarizePattern(properties.FilterPolicy, properties.FilterPolicyScope === 'MessageBody');
    for (const topic of builder.nodesIn(stack, properties.TopicArn)) {
      for (const endpoint of builder.nodesIn(stack, properties.Endpoint))
        builder.addEdge(topic, endpoint, 'subscription', label);
      const redrive = isObject(properties.RedrivePolicy) ? properties.RedrivePolicy : {};
      for (const dlq of builder.nodesIn(stack, redrive.deadLetterTargetArn))
        builder.addEdge(topic, dlq, 'dead-letter', 'undeliverable');
    }
  }
  for (const { stack, logicalId, properties } of builder.resources('AWS::SNS::Topic')) {
    if (!Array.isArray(properties.Subscription)) continue;
    for (const subscription of properties.Subscription as unknown[]) {
      if (!isObject(subscription)) continue;
      for (const endpoint of builder.nodesIn(stack, subscription.Endpoint))
        builder.addEdge(`${stack}/${logicalId}`, endpoint, 'subscription');
    }
  }
}

function addLambdaSources(builder: GraphBuilder): void {
  for (const { stack, properties } of builder.resources('AWS::Lambda::EventSourceMapping')) {
    const [fn] = builder.nodesIn(stack, properties.FunctionName);
    if (!fn) continue;
    const filters = isObject(properties.FilterCriteria) ? properties.FilterCriteria.Filters : undefined;
    const label = Array.isArray(filters) && filters.length > 0 ? 'filtered' : undefined;
    for (const source of builder.nodesIn(stack, properties.EventSourceArn))
      builder.addEdge(source, fn, 'event-source', label);
    const destinations = isObject(properties.DestinationConfig) ? properties.DestinationConfig : {};
    const onFailure = isObject(destinations.OnFailure) ? destinations.OnFailure : {};
    for (const target of builder.nodesIn(stack, onFailure.Destination))
      builder.addEdge(fn, target, 'on-failure');
  }
  for (const { stack, properties } of builder.resources('AWS::Lambda::EventInvokeConfig')) {
    const [fn] = builder.nodesIn(stack, properties.FunctionName);
    const destinations = isObject(properties.DestinationConfig) ? properties.DestinationConfig : {};
    if (!fn) continue;
    const onFailure = isObject(destinations.OnFailure) ? destinations.OnFailure : {};
    const onSuccess = isObject(destinations.OnSuccess) ? destinations.OnSuccess : {};
    for (const target of builder.nodesIn(stack, onFailure.Destination))
      builder.addEdge(fn, target, 'on-failure');
    for (const target of builder.nodesIn(stack, onSuccess.Destination))
      builder.addEdge(fn, target, 'target', 'on success');
  }
  for (const { stack, logicalId, properties } of builder.resources('AWS::Lambda::Function')) {
    const dlq = isObject(properties.DeadLetterConfig) ? properties.DeadLetterConfig.TargetArn : undefined;
    for (const target of builder.nodesIn(stack, dlq))
      builder.addEdge(`${stack}/${logicalId}`, target, 'dead-letter');
  }
}

function addTables(builder: GraphBuilder): void {
  const tableTypes = (type: string) =>
    type === 'AWS::DynamoDB::Table' || type === 'AWS::DynamoDB::GlobalTable';
  for (const { stack, logicalId, properties } of builder.resources(tableTypes)) {
    const replicas = Array.isArray(properties.Replicas) ? (properties.Replicas as unknown[]) : [];
    const specs = [properties, ...replicas].map((r) =>
      isObject(r) ? r.KinesisStreamSpecification : undefined,
    );
    for (const spec of specs) {
      if (!isObject(spec)) continue;
      for (const stream of builder.nodesIn(stack, spec.StreamArn))
        builder.addEdge(`${stack}/${logicalId}`, stream, 'delivery', 'item changes');
    }
  }
}

function addDeliveryStreams(builder: GraphBuilder): void {
  for (const { stack, logicalId, properties } of builder.resources('AWS::KinesisFirehose::DeliveryStream')) {
    const id = `${stack}/${logicalId}`;
    const source = isObject(properties.KinesisStreamSourceConfiguration)
      ? properties.KinesisStreamSourceConfiguration.KinesisStreamARN
      : undefined;
    for (const stream of builder.nodesIn(stack, source)) builder.addEdge(stream, id, 'event-source');
    for (const key of Object.keys(properties).filter((k) => k.endsWith('DestinationConfiguration'))) {
      const destination = properties[key];
      if (!isObject(destination)) continue;
      for (const bucket of builder.nodesIn(stack, destination.BucketARN))
        builder.addEdge(id, bucket, 'delivery');
      const backup = isObject(destination.S3BackupConfiguration) ? destination.S3BackupConfiguration : {};
      for (const bucket of builder.nodesIn(stack, backup.BucketARN))
        builder.addEdge(id, bucket, 'delivery', 'backup');
      const processing = isObject(destination.ProcessingConfiguration)
        ? destination.ProcessingConfiguration
        : {};
      for (const fn of builder.nodesIn(stack, processing.Processors))
        builder.addEdge(id, fn, 'invoke', 'transform');
    }
  }
}

function addRulesAndSchedules(builder: GraphBuilder): void {
  const busesByName = new Map<string, string>();
  for (const { stack, logicalId, properties } of builder.resources('AWS::Events::EventBus'))
    if (typeof properties.Name === 'string') busesByName.set(properties.Name, `${stack}/${logicalId}`);
  for (const { stack, logicalId, properties } of builder.resources('AWS::Events::Rule')) {
    const id = `${stack}/${logicalId}`;
    const named =
      typeof properties.EventBusName === 'string' ? busesByName.get(properties.EventBusName) : undefined;
    const buses = named ? [named] : builder.nodesIn(stack, properties.EventBusName);
    for (const bus of buses)
      builder.addEdge(bus, id, 'subscription', summarizePattern(properties.EventPattern));
    const targets = Array.isArray(properties.Targets) ? (properties.Targets as unknown[]) : [];
    for (const target of targets) {
      if (!isObject(target)) continue;
      for (const to of builder.nodesIn(stack, target.Arn)) builder.addEdge(id, to, 'target');
      const dlq = isObject(target.DeadLetterConfig) ? target.DeadLetterConfig.Arn : undefined;
      for (const to of builder.nodesIn(stack, dlq)) builder.addEdge(id, to, 'dead-letter');
    }
  }
  for (const { stack, logicalId, properties } of builder.resources('AWS::Scheduler::Schedule')) {
    const id = `${stack}/${logicalId}`;
    const target = isObject(properties.Target) ? properties.Target : {};
    const direct = builder.nodesIn(stack, target.Arn);
    // A universal target (`arn:aws:scheduler:::aws-sdk:…`) names its resource in the input.
    const targets = direct.length > 0 ? direct : builder.nodesIn(stack, target.Input);
    for (const to of targets) builder.addEdge(id, to, 'target');
    const dlq = isObject(target.DeadLetterConfig) ? target.DeadLetterConfig.Arn : undefined;
    for (const to of builder.nodesIn(stack, dlq)) builder.addEdge(id, to, 'dead-letter');
  }
}

function addBucketNotifications(builder: GraphBuilder): void {
  const add = (stack: string, bucket: string | undefined, configuration: unknown) => {
    if (!bucket || !isObject(configuration)) return;
    for (const [key, property] of [
      ['LambdaFunctionConfigurations', 'LambdaFunctionArn'],
      ['LambdaConfigurations', 'Function'],
      ['QueueConfigurations', 'Queue'],
      ['QueueConfigurations', 'QueueArn'],
      ['TopicConfigurations', 'Topic'],
      ['TopicConfigurations', 'TopicArn'],
    ] as const) {
      const list = configuration[key];
      if (!Array.isArray(list)) continue;
      for (const item of list as unknown[]) {
        if (!isObject(item)) continue;
        const events = [item.Event, item.Events].flat().filter((e): e is string => typeof e === 'string');
        const label = events.map((e) => e.replace(/^s3:/, '')).join(', ') || undefined;
        for (const to of builder.nodesIn(stack, item[property]))
          builder.addEdge(bucket, to, 'notification', label);
      }
    }
  };
  for (const { stack, logicalId, properties } of builder.resources('AWS::S3::Bucket'))
    add(stack, `${stack}/${logicalId}`, properties.NotificationConfiguration);
  for (const { stack, properties } of builder.resources('Custom::S3BucketNotifications'))
    add(stack, builder.nodesIn(stack, properties.BucketName)[0], properties.NotificationConfiguration);
}

function addPipes(builder: GraphBuilder): void {
  for (const { stack, properties } of builder.resources('AWS::Pipes::Pipe')) {
    const sources = builder.nodesIn(stack, properties.Source);
    const enrichment = builder.nodesIn(stack, properties.Enrichment);
    const targets = builder.nodesIn(stack, properties.Target);
    for (const source of sources) {
      for (const fn of enrichment) builder.addEdge(source, fn, 'event-source', 'pipe enrichment');
      for (const target of targets) builder.addEdge(source, target, 'target', 'pipe');
    }
  }
}
