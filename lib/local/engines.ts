import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { startDynamoDbLocal } from './dynamodb-local';

/** The local engines and SDK clients pointed at them. */
export interface Engines {
  readonly endpoints: Readonly<Record<'dynamodb' | 'sqs' | 'sns' | 's3', string>>;
  readonly dynamodb: DynamoDBClient;
  readonly dynamodbStreams: DynamoDBStreamsClient;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  /** Process id of DynamoDB Local's Java process, to clean up after a crash. */
  readonly javaPid?: number;
  stop(): Promise<void>;
}

/** Dummy credentials: the engines accept any, and the SDK needs some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Starts DynamoDB Local and fauxqs (SQS, SNS, S3) on free loopback ports, side by side. */
export async function startEngines(region: string): Promise<Engines> {
  const [dynamo, fauxqs] = await Promise.all([
    startDynamoDbLocal(),
    startFauxqs({ port: 0, logger: false, defaultRegion: region }),
  ]);
  const clientConfig = { region, credentials: LOCAL_CREDENTIALS };
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamo.endpoint });
  const dynamodbStreams = new DynamoDBStreamsClient({ ...clientConfig, endpoint: dynamo.endpoint });
  const sqs = new SQSClient({ ...clientConfig, endpoint: fauxqs.address });
  const sns = new SNSClient({ ...clientConfig, endpoint: fauxqs.address });
  return {
    endpoints: { dynamodb: dynamo.endpoint, sqs: fauxqs.address, sns: fauxqs.address, s3: fauxqs.address },
    dynamodb,
    dynamodbStreams,
    sqs,
    sns,
    javaPid: dynamo.pid,
    stop: async () => {
      dynamodb.destroy();
      dynamodbStreams.destroy();
      sqs.destroy();
      sns.destroy();
      await Promise.allSettled([dynamo.stop(), fauxqs.stop()]);
    },
  };
}
