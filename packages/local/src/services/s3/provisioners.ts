import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  accepted,
  NO_OBSERVABILITY,
  NOT_ENFORCED,
  physicalName,
  regional,
  str,
  TAGS,
  UnsupportedResourceError,
  type ProvisionContext,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { LambdaService } from '../lambda/service.js';
import { SqsService } from '../sqs/service.js';
import { bucketDeployment } from './bucket-deployment.js';
import { fromBucketProperty, notificationProblems, notificationRules } from './configuration.js';
import { S3Service } from './service.js';

const s3Bucket: Provisioner = {
  applies: ['BucketName', 'NotificationConfiguration'],
  accepts: {
    BucketEncryption: NOT_ENFORCED,
    PublicAccessBlockConfiguration: NOT_ENFORCED,
    OwnershipControls: NOT_ENFORCED,
    VersioningConfiguration: 'object versions are not kept offline; the latest write wins',
    LifecycleConfiguration: 'objects are not expired or transitioned offline',
    LoggingConfiguration: NO_OBSERVABILITY,
    Tags: TAGS,
  },
  check(ctx, p) {
    return p.NotificationConfiguration === undefined
      ? []
      : notificationProblems(ctx, fromBucketProperty(p.NotificationConfiguration));
  },
  async create(ctx, logicalId, p) {
    // S3 bucket names are lower case, 3 to 63 characters.
    const name =
      str(p.BucketName) ??
      physicalName(ctx.stack.stackName, logicalId, 63)
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-');
    await ctx.service(S3Service).client.send(new CreateBucketCommand({ Bucket: name }));
    if (p.NotificationConfiguration !== undefined) {
      const where = `${ctx.stack.stackName}/${logicalId} (AWS::S3::Bucket)`;
      await applyNotifications(ctx, name, fromBucketProperty(p.NotificationConfiguration), where);
    }
    const arn = `arn:${ctx.env.partition}:s3:::${name}`;
    return {
      ref: name,
      attributes: {
        Arn: arn,
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${ctx.env.region}.amazonaws.com`,
      },
    };
  },
};

/**
 * What `Bucket#addEventNotification` (and `eventBridgeEnabled`) synthesize: the runtime applies the
 * `NotificationConfiguration` itself, as CDK's handler would put it on the bucket; the handler (Python) is
 * not run.
 */
const bucketNotifications: Provisioner = {
  applies: ['BucketName', 'NotificationConfiguration', 'SkipDestinationValidation'],
  accepts: {
    ServiceToken:
      "the runtime applies NotificationConfiguration to the bucket itself; CDK's handler function is not run",
    Managed:
      'the configuration is added to what the bucket has; nothing outside the application configures a local bucket',
  },
  check(ctx, p) {
    return notificationProblems(ctx, p.NotificationConfiguration);
  },
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (Custom::S3BucketNotifications)`;
    const skip = p.SkipDestinationValidation === true || p.SkipDestinationValidation === 'true';
    await applyNotifications(ctx, str(p.BucketName) ?? '', p.NotificationConfiguration, where, skip);
    return { ref: physicalName(ctx.stack.stackName, logicalId, 255), attributes: {} };
  },
};

/**
 * Puts a notification configuration (the custom resource's shape) on a bucket, once its destinations are
 * known to be a function, queue or topic of the application, as S3 validates them.
 */
async function applyNotifications(
  ctx: ProvisionContext,
  bucket: string,
  config: unknown,
  where: string,
  skipValidation = false,
): Promise<void> {
  const { rules, eventBridge } = notificationRules(bucket, config, where);
  const unknown = skipValidation
    ? []
    : rules
        .map((r) => r.destination)
        .filter(({ kind, arn }) =>
          kind === 'lambda'
            ? ctx.service(LambdaService).host.get(arn) === undefined
            : kind === 'sqs'
              ? ctx.service(SqsService).queueUrl(arn) === undefined
              : !arn.startsWith(`arn:${ctx.env.partition}:sns:`),
        )
        .map((d) => d.arn);
  if (unknown.length > 0) {
    throw new UnsupportedResourceError(
      `${where}: NotificationConfiguration: Unable to validate the following destination configurations: ${unknown.join(', ')} (not a function, queue or topic of the application)`,
    );
  }
  await ctx.service(S3Service).configureNotifications(bucket, { rules, eventBridge });
}

/** S3 buckets on fauxqs, and their event notifications. */
export const s3: ServiceModule = {
  name: 's3',
  state: S3Service,
  provisioners: {
    'AWS::S3::Bucket': s3Bucket,
    'AWS::S3::BucketPolicy': accepted(NOT_ENFORCED, regional('s3', '')),
    'Custom::S3BucketNotifications': bucketNotifications,
    'Custom::CDKBucketDeployment': bucketDeployment,
    'Custom::S3AutoDeleteObjects': accepted(
      'the runtime keeps objects in memory: they are gone when it stops, and nothing is deleted at start',
      regional('s3', ''),
    ),
  },
};
