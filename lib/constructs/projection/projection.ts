import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { EventStore, StreamReader } from '../event-store';

/** Properties of a {@link Projection}. */
export interface ProjectionProps {
  readonly store: EventStore;
  /** The projector's handler: `createProjector` from `lambdas/shared/projection.ts`. */
  readonly entry: string;
  /** Names the projection (rebuild command, service name). */
  readonly projectionName: string;
  /** Partition key of the read-model rows. */
  readonly keyName: string;
  /** @default RemovalPolicy.DESTROY - a read model can always be rebuilt from the store */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A CQRS read model kept by the event store's change stream: the read-model table and a projector
 * (one of the store's two stream readers) that applies each event exactly once, in order per stream,
 * recording in each row the stream version it reflects and a `_checkpoint` row per batch.
 */
export class Projection extends Construct {
  public readonly readModel: dynamodb.TableV2;
  public readonly projector: StreamReader;
  public readonly projectionName: string;

  constructor(scope: Construct, id: string, props: ProjectionProps) {
    super(scope, id);
    this.projectionName = props.projectionName;
    this.readModel = new dynamodb.TableV2(this, 'ReadModel', {
      partitionKey: { name: props.keyName, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.projector = props.store.addStreamReader(`${id}Projector`, {
      entry: props.entry,
      serviceName: `projection-${props.projectionName}`,
      environment: { READ_MODEL_TABLE_NAME: this.readModel.tableName },
      errorMeaning: `the ${props.projectionName} read model falls behind the store.`,
    });
    this.readModel.grant(this.projector.function, 'dynamodb:GetItem', 'dynamodb:PutItem');
  }

  /** Lets `fn` read rows. */
  public grantRead(fn: lambda.IFunction): void {
    this.readModel.grant(fn, 'dynamodb:GetItem', 'dynamodb:Query');
  }
}
