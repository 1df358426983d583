import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { dynamodb } from './clients.js';
import { requireEnv } from './env.js';
import { IDEMPOTENCY_TABLE_NAME, IDEMPOTENCY_TTL_SECONDS } from '@conflux/constructs/contracts';

/**
 * The Powertools idempotency store on the table that `IdempotencyTable.grantTo` names in
 * `IDEMPOTENCY_TABLE_NAME`, and a config keyed on the event's own id (not the SQS message id, which
 * differs when a producer or SNS delivers the same event twice). With `payloadValidationJmesPath`, a repeat
 * whose payload differs there fails with `IdempotencyValidationError`.
 */
export function idempotencySetup(
  eventKeyJmesPath: string,
  expiresAfterSeconds = Number(process.env[IDEMPOTENCY_TTL_SECONDS] ?? 24 * 60 * 60),
  payloadValidationJmesPath?: string,
) {
  return {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: requireEnv(IDEMPOTENCY_TABLE_NAME),
      awsSdkV3Client: dynamodb,
    }),
    config: new IdempotencyConfig({
      eventKeyJmesPath,
      expiresAfterSeconds,
      throwOnNoIdempotencyKey: true,
      payloadValidationJmesPath,
    }),
  };
}
