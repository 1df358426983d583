import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { LAKE_ZONES } from '../contracts/index.js';
import { builtHandler, builtHandlerDir } from '../private/built-handler.js';
import { PropsValidator } from '../private/validation.js';
import { createServiceFunction } from '../service-function/service-function.js';
import { validateBuffering } from './buffering.js';
import { RawZoneSource, type RawZoneBuffering, type RawZoneSourceProps } from './raw-zone-source.js';

/** Properties of a {@link RawZone}. */
export interface RawZoneProps {
  /**
   * The lake bucket, when it exists already. It is used as it is: none of the lifecycle, logging or
   * encryption settings below are applied to it.
   * @default - a new bucket: encrypted, TLS only, versioned, public access blocked, bucket owner enforced,
   *   server access logs to a bucket of its own, and the zones' lifecycle
   */
  readonly bucket?: s3.IBucket;

  /**
   * The KMS key that encrypts a new bucket (SSE-KMS with a bucket key). Delivery roles and grants are given
   * its use.
   * @default - SSE-S3 (S3-managed keys)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * When objects of `raw/` and `errors/` move to S3 Standard-IA (at least 30 days, S3's minimum).
   * @default Duration.days(30)
   */
  readonly infrequentAccessAfter?: Duration;

  /**
   * When objects of `raw/` and `errors/` move to S3 Glacier Instant Retrieval (at least 30 days after the
   * move to Standard-IA, as S3 requires).
   * @default Duration.days(90)
   */
  readonly glacierInstantRetrievalAfter?: Duration;

  /**
   * How long the ETL runs' intermediate objects under `staging/` are kept.
   * @default Duration.days(7)
   */
  readonly stagingExpiration?: Duration;

  /**
   * How long Athena's results under `athena-results/` are kept.
   * @default Duration.days(30)
   */
  readonly athenaResultsExpiration?: Duration;

  /**
   * How long an overwritten or deleted object's previous versions are kept.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * The buffering of every source that sets none: an app's stage can deliver quickly in development and
   * cheaply in production.
   * @default - Firehose's default, 5 MiB or 300 seconds, whichever comes first
   */
  readonly defaultBuffering?: RawZoneBuffering;

  /**
   * What happens to a new bucket (and its access logs bucket) when it leaves the stack. The lake is data:
   * it is kept unless you ask otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Empty a new bucket before CloudFormation deletes it (a custom resource does it). Only with
   * `removalPolicy: RemovalPolicy.DESTROY`, asked explicitly.
   * @default false
   */
  readonly autoDeleteObjects?: boolean;

  /**
   * Where the sources' alarms notify.
   * @default - the alarms are created without actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How long the delivery streams' error logs and the bundled transform's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * The raw zone of a data lake: one bucket laid out in zones (`raw/`, `errors/`, `staging/`, `quarantine/`,
 * `curated/`, `athena-results/`, see `LAKE_ZONES`), and a Firehose delivery stream per source that writes
 * the source's records, gzip newline-delimited JSON, under
 * `raw/<source>/dt=<yyyy-MM-dd>/hour=<HH>/` (Hive-style partitions a Glue table projects), failures under
 * `errors/<source>/<error-output-type>/dt=<yyyy-MM-dd>/`.
 *
 * A new bucket is encrypted (SSE-S3, or your KMS key), TLS only, versioned, private, bucket owner enforced
 * and access-logged; `raw/` and `errors/` move to Standard-IA after 30 days and Glacier Instant Retrieval
 * after 90, `staging/` expires after 7 days, `athena-results/` after 30, previous versions after 30.
 */
export class RawZone extends Construct {
  /** The lake bucket. */
  public readonly bucket: s3.IBucket;
  /** The bucket the new lake bucket's server access logs go to; undefined when the bucket was given. */
  public readonly accessLogsBucket?: s3.Bucket;
  /** The sources added so far, in order. */
  public readonly sources: RawZoneSource[] = [];

  private readonly props: RawZoneProps;
  private jsonLines?: lambda.Function;

  constructor(scope: Construct, id: string, props: RawZoneProps = {}) {
    super(scope, id);
    validate(this, props);
    this.props = props;
    if (props.bucket) {
      this.bucket = props.bucket;
      return;
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const autoDeleteObjects = props.autoDeleteObjects === true;
    const encryption = props.encryptionKey
      ? { encryption: s3.BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
      : { encryption: s3.BucketEncryption.S3_MANAGED };
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects,
    });
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'This bucket receives the lake bucket’s server access logs; logging it to itself would loop, and to another bucket would only move the finding.',
    });

    const transitions = [
      {
        storageClass: s3.StorageClass.INFREQUENT_ACCESS,
        transitionAfter: props.infrequentAccessAfter ?? Duration.days(30),
      },
      {
        storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
        transitionAfter: props.glacierInstantRetrievalAfter ?? Duration.days(90),
      },
    ];
    this.bucket = new s3.Bucket(this, 'Resource', {
      ...encryption,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        { id: 'RawToColderStorage', prefix: LAKE_ZONES.raw, transitions },
        { id: 'ErrorsToColderStorage', prefix: LAKE_ZONES.errors, transitions },
        {
          id: 'ExpireStaging',
          prefix: LAKE_ZONES.staging,
          expiration: props.stagingExpiration ?? Duration.days(7),
        },
        {
          id: 'ExpireAthenaResults',
          prefix: LAKE_ZONES.athenaResults,
          expiration: props.athenaResultsExpiration ?? Duration.days(30),
        },
        {
          id: 'ExpirePreviousVersions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
      autoDeleteObjects,
    });
  }

  /**
   * Adds a source: a Firehose delivery stream into `raw/<name>/`, reading `stream` when given, else taking
   * direct puts (grant them with {@link RawZoneSource.grantPutRecords}).
   *
   * @param id construct id of the source; it names the delivery stream's resources and alarms
   */
  public addSource(id: string, props: RawZoneSourceProps): RawZoneSource {
    const taken = this.sources.map((s) => s.name);
    const v = new PropsValidator('RawZone source', this);
    v.require(
      NAME.test(props.name),
      `name "${props.name}" must be a lower-case letter then up to 63 lower-case letters, digits or "_" (it is the source's folder under raw/ and a Glue table name).`,
    );
    v.require(
      !taken.includes(props.name),
      `a source named "${props.name}" exists already in this RawZone (its objects would mix under raw/${props.name}/): give this one another name.`,
    );
    validateBuffering(v, 'buffering', props.buffering);
    v.throwIfInvalid();

    const transform = props.transform ?? 'json-lines';
    const source = new RawZoneSource(this, id, {
      ...props,
      bucket: this.bucket,
      buffering: props.buffering ??
        this.props.defaultBuffering ?? { size: Size.mebibytes(5), interval: Duration.seconds(300) },
      transformFunction:
        transform === 'none' ? undefined : transform === 'json-lines' ? this.jsonLinesFunction() : transform,
      bundledTransform: transform === 'json-lines',
      alarmTopic: this.props.alarmTopic,
      logRetention: this.props.logRetention,
      removalPolicy: this.props.removalPolicy,
    });
    this.sources.push(source);
    return source;
  }

  /** The source named `name`, if added. */
  public source(name: string): RawZoneSource | undefined {
    return this.sources.find((s) => s.name === name);
  }

  /** The bundled `lake-json-lines` transform, one function for every source that uses it. */
  private jsonLinesFunction(): lambda.Function {
    if (this.jsonLines) return this.jsonLines;
    const { fn } = createServiceFunction(new Construct(this, 'JsonLines'), {
      code: builtHandler(builtHandlerDir('lake-json-lines')),
      serviceName: 'lake-json-lines',
      timeout: Duration.minutes(1),
      memorySize: 256,
      logRetention: this.props.logRetention,
      alarmTopic: this.props.alarmTopic,
      noDeadLetterQueueBecause:
        'Firehose invokes it synchronously and retries; records it cannot transform go to the errors/ prefix of the lake bucket.',
      errorMeaning:
        'Firehose retries the batch, then writes its records to errors/<source>/processing-failed/.',
    });
    this.jsonLines = fn;
    return fn;
  }
}

function validate(scope: Construct, props: RawZoneProps): void {
  const v = new PropsValidator('RawZone', scope);
  const given = props.bucket !== undefined;
  const newBucketOnly: [string, unknown][] = [
    ['encryptionKey', props.encryptionKey],
    ['infrequentAccessAfter', props.infrequentAccessAfter],
    ['glacierInstantRetrievalAfter', props.glacierInstantRetrievalAfter],
    ['stagingExpiration', props.stagingExpiration],
    ['athenaResultsExpiration', props.athenaResultsExpiration],
    ['noncurrentVersionExpiration', props.noncurrentVersionExpiration],
    ['autoDeleteObjects', props.autoDeleteObjects],
  ];
  for (const [name, value] of newBucketOnly) {
    v.require(
      !given || value === undefined,
      `${name} configures a new bucket; the given bucket is used as it is: set it on that bucket, or leave bucket out.`,
    );
  }
  v.require(
    props.autoDeleteObjects !== true || props.removalPolicy === RemovalPolicy.DESTROY,
    'autoDeleteObjects empties the lake when the stack deletes it: it needs removalPolicy: RemovalPolicy.DESTROY, asked explicitly.',
  );
  const ia = props.infrequentAccessAfter ?? Duration.days(30);
  const gir = props.glacierInstantRetrievalAfter ?? Duration.days(90);
  v.durationInRange(
    'infrequentAccessAfter',
    props.infrequentAccessAfter,
    Duration.days(30),
    Duration.days(36500),
  );
  if (!ia.isUnresolved() && !gir.isUnresolved()) {
    v.require(
      gir.toDays({ integral: false }) >= ia.toDays({ integral: false }) + 30,
      `glacierInstantRetrievalAfter (${gir.toHumanString()}) must be at least 30 days after infrequentAccessAfter (${ia.toHumanString()}): S3 keeps an object 30 days in Standard-IA before the next transition.`,
    );
  }
  for (const [name, value] of [
    ['stagingExpiration', props.stagingExpiration],
    ['athenaResultsExpiration', props.athenaResultsExpiration],
    ['noncurrentVersionExpiration', props.noncurrentVersionExpiration],
  ] as const) {
    v.durationInRange(name, value, Duration.days(1), Duration.days(36500));
  }
  validateBuffering(v, 'defaultBuffering', props.defaultBuffering);
  v.throwIfInvalid();
}
