import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  accepted,
  NO_OBSERVABILITY,
  NOT_ENFORCED,
  physicalName,
  regional,
  str,
  TAGS,
  type Provisioner,
} from '../../core/provisioning.js';
import type { ServiceModule } from '../../core/services.js';
import { S3Service } from './service.js';

const s3Bucket: Provisioner = {
  applies: ['BucketName'],
  accepts: {
    BucketEncryption: NOT_ENFORCED,
    PublicAccessBlockConfiguration: NOT_ENFORCED,
    OwnershipControls: NOT_ENFORCED,
    VersioningConfiguration: 'object versions are not kept offline; the latest write wins',
    LifecycleConfiguration: 'objects are not expired or transitioned offline',
    LoggingConfiguration: NO_OBSERVABILITY,
    Tags: TAGS,
  },
  async create(ctx, logicalId, p) {
    // S3 bucket names are lower case, 3 to 63 characters.
    const name =
      str(p.BucketName) ??
      physicalName(ctx.stack.stackName, logicalId, 63)
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-');
    await ctx.service(S3Service).client.send(new CreateBucketCommand({ Bucket: name }));
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

/** S3 buckets on fauxqs. */
export const s3: ServiceModule = {
  name: 's3',
  state: S3Service,
  provisioners: {
    'AWS::S3::Bucket': s3Bucket,
    'AWS::S3::BucketPolicy': accepted(NOT_ENFORCED, regional('s3', '')),
  },
};
