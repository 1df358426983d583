import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PostReview, PutCategory, PutProduct } from '../functions/catalog/contract';
import type { SecureRestApi, TableReplication } from '@conflux/constructs';
import { createServiceFunction, INVOKED_BY_API_GATEWAY } from '@conflux/constructs';
import { createStreamReader } from '@conflux/constructs';
import { serviceTable } from './tables';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');

/** Properties of {@link Catalog}. */
export interface CatalogProps {
  readonly gateway: SecureRestApi;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
  readonly alarmTopic?: sns.ITopic;
  /**
   * Replicas of the product view in other Regions (the `readModels` family of `conflux:replication`).
   * @default - single-Region
   */
  readonly replication?: TableReplication;
}

/**
 * The catalog, CQRS with a denormalized read model: commands write categories, products and reviews to
 * their own tables; a projector on their three change streams keeps the product view, which joins the
 * category's name and the average rating, for `GET /v1/products/{sku}`.
 */
export class Catalog extends Construct {
  public readonly categories: dynamodb.TableV2;
  public readonly products: dynamodb.TableV2;
  public readonly reviews: dynamodb.TableV2;
  public readonly productView: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy;
    const stream = dynamodb.StreamViewType.NEW_AND_OLD_IMAGES;
    this.categories = serviceTable(this, 'Categories', { partitionKey: 'categoryId', stream, removalPolicy });
    this.products = serviceTable(this, 'Products', { partitionKey: 'sku', stream, removalPolicy });
    this.products.addGlobalSecondaryIndex({
      indexName: 'byCategory',
      partitionKey: { name: 'categoryId', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    this.reviews = serviceTable(this, 'Reviews', {
      partitionKey: 'sku',
      sortKey: 'reviewer',
      stream,
      removalPolicy,
    });
    this.productView = serviceTable(this, 'ProductView', {
      partitionKey: 'sku',
      removalPolicy,
      replication: props.replication,
      alarmTopic: props.alarmTopic,
    });
    const environment = {
      CATEGORIES_TABLE_NAME: this.categories.tableName,
      PRODUCTS_TABLE_NAME: this.products.tableName,
      REVIEWS_TABLE_NAME: this.reviews.tableName,
      PRODUCT_VIEW_TABLE_NAME: this.productView.tableName,
    };

    const projector = createStreamReader(this, 'Projector', [this.categories, this.products, this.reviews], {
      entry: path.join(functionsDir, 'catalog/projector.handler.ts'),
      serviceName: 'projection-catalog',
      environment,
      errorMeaning: 'the product view stops following catalog changes.',
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
      lagMeaning: 'the product view is more than a minute behind catalog changes.',
    }).function;
    this.categories.grant(projector, 'dynamodb:GetItem');
    // Exact resources: TableV2.grant would add `<table>/index/*` for the products' index.
    projector.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [this.products.tableArn],
      }),
    );
    projector.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${this.products.tableArn}/index/byCategory`],
      }),
    );
    this.reviews.grant(projector, 'dynamodb:Query');
    this.productView.grant(projector, 'dynamodb:PutItem', 'dynamodb:DeleteItem');

    const { fn } = createServiceFunction(new Construct(this, 'ApiFunction'), {
      entry: path.join(functionsDir, 'catalog/api.handler.ts'),
      serviceName: 'catalog',
      timeout: Duration.seconds(10),
      memorySize: 256,
      environment,
      logRetention: props.logRetention,
      alarmTopic: props.alarmTopic,
      noDeadLetterQueueBecause: INVOKED_BY_API_GATEWAY,
      errorMeaning: 'Catalog routes answer 500.',
    });
    this.categories.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem');
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.products.tableArn],
      }),
    );
    this.reviews.grant(fn, 'dynamodb:PutItem');
    this.productView.grant(fn, 'dynamodb:GetItem');

    const target = { function: fn };
    const { gateway } = props;
    gateway.addRoute({
      method: 'PUT',
      path: '/v1/categories/{categoryId}',
      target,
      scopes: ['catalog:write'],
      body: PutCategory,
    });
    gateway.addRoute({
      method: 'PUT',
      path: '/v1/products/{sku}',
      target,
      scopes: ['catalog:write'],
      body: PutProduct,
    });
    gateway.addRoute({
      method: 'POST',
      path: '/v1/products/{sku}/reviews',
      target,
      scopes: ['reviews:write'],
      body: PostReview,
      idempotent: true,
    });
    gateway.addRoute({ method: 'GET', path: '/v1/products/{sku}', target, scopes: ['catalog:read'] });
  }
}
