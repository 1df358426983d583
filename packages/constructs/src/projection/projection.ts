import { Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { EventStore, StreamReader } from '../event-store/index.js';
import { PROJECTIONS, type ProjectionTables } from '../contracts/index.js';
import { replicatedTable, type TableReplication } from '../replication/index.js';

/** Properties of a {@link Projection}. */
export interface ProjectionProps {
  readonly store: EventStore;
  /** The projector's handler: `createProjector(<projectionName>, spec)` from `@conflux/handler-kit`. */
  readonly entry: string;
  /** Names the projection: in `PROJECTIONS`, the control table and the rebuild command. */
  readonly projectionName: string;
  /** Partition key of the read-model rows. */
  readonly keyName: string;
  /** @default RemovalPolicy.DESTROY - a read model can always be rebuilt from the store */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Replicates both read-model tables to other Regions, with a replication-latency alarm per replica Region.
   * A read model tolerates lag, so `'eventual'` is the expected mode; `'strong'` is accepted when valid (the
   * projector writes single items, no transactions, TTL or local indexes).
   * @default - the read models stay in the stack's Region
   */
  readonly replication?: TableReplication;
  /**
   * Where the read models' replication-latency alarms notify.
   * @default - the alarms notify no one
   */
  readonly alarmTopic?: sns.ITopic;
}

/** Projections each function uses, for its `PROJECTIONS` variable. */
const used = new WeakMap<lambda.Function, Record<string, ProjectionTables>>();

/**
 * A CQRS read model kept by the event store's change stream: two read-model tables (`a` active, `b` the
 * target of the next rebuild, then the other way round), the store's control table naming the active one,
 * and a projector (one of the store's two stream readers) that applies each event exactly once, in order
 * per stream. `npm run projections:rebuild -- --projection <name>` replays the store into the inactive table
 * and switches readers to it.
 */
export class Projection extends Construct {
  public readonly tables: { readonly a: dynamodb.TableV2; readonly b: dynamodb.TableV2 };
  public readonly projector: StreamReader;
  public readonly projectionName: string;
  private readonly store: EventStore;

  constructor(scope: Construct, id: string, props: ProjectionProps) {
    super(scope, id);
    this.projectionName = props.projectionName;
    this.store = props.store;
    const table = (side: string) =>
      replicatedTable(
        this,
        `ReadModel${side.toUpperCase()}`,
        {
          partitionKey: { name: props.keyName, type: dynamodb.AttributeType.STRING },
          billing: dynamodb.Billing.onDemand(),
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
          removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
        },
        { replication: props.replication, alarmTopic: props.alarmTopic },
      );
    this.tables = { a: table('a'), b: table('b') };
    this.projector = props.store.addStreamReader(`${id}Projector`, {
      entry: props.entry,
      serviceName: `projection-${props.projectionName}`,
      errorMeaning: `the ${props.projectionName} read model falls behind the store.`,
    });
    this.grant(this.projector.function, 'dynamodb:GetItem', 'dynamodb:PutItem');
    props.store.projectionControl.grant(this.projector.function, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
  }

  /** Lets `fn` read rows of the active table. */
  public grantRead(fn: lambda.Function): void {
    this.grant(fn, 'dynamodb:GetItem', 'dynamodb:Query');
    this.store.projectionControl.grant(fn, 'dynamodb:GetItem');
  }

  private grant(fn: lambda.Function, ...actions: string[]): void {
    this.tables.a.grant(fn, ...actions);
    this.tables.b.grant(fn, ...actions);
    const projections = used.get(fn) ?? {};
    if (!used.has(fn)) {
      used.set(fn, projections);
      fn.addEnvironment(PROJECTIONS, Lazy.string({ produce: () => Stack.of(fn).toJsonString(projections) }));
    }
    projections[this.projectionName] = {
      control: this.store.projectionControl.tableName,
      tables: { a: this.tables.a.tableName, b: this.tables.b.tableName },
    };
  }
}
