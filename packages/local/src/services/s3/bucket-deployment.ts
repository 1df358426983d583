import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  staticText,
  str,
  UNRESOLVED,
  UnsupportedResourceError,
  type CheckContext,
  type Provisioner,
} from '../../core/provisioning.js';
import { S3Service } from './service.js';

/** What `aws s3 sync` would give the common extensions (Python's `mimetypes`); others get S3's default. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/vnd.microsoft.icon',
  '.pdf': 'application/pdf',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** `SystemMetadata` keys and the `PutObject` fields they set; the others have no local effect. */
const SYSTEM_METADATA = {
  'content-type': 'ContentType',
  'cache-control': 'CacheControl',
  'content-disposition': 'ContentDisposition',
  'content-encoding': 'ContentEncoding',
  'content-language': 'ContentLanguage',
} as const;

/** An `aws s3 sync` filter (`fnmatch`): `*` is any text, `/` included; `?` one character; `[…]` a set. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob.charAt(i);
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        const set = glob.slice(i + 1, end);
        source += `[${set.startsWith('!') ? `^${set.slice(1)}` : set}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The asset folder of each source, by its object key; undefined for one that is no folder asset. */
function sourceFolders(ctx: { stack: CheckContext['stack'] }, keys: unknown): (string | undefined)[] {
  return list(keys).map((key) => {
    const text = staticText(key);
    const asset = text === undefined ? undefined : ctx.stack.assetsByObjectKey.get(text);
    return asset !== undefined && statSync(asset).isDirectory() ? asset : undefined;
  });
}

/**
 * What `BucketDeployment` synthesizes: the runtime copies the sources (folder assets of the cloud assembly:
 * `Source.asset(<folder>)`, `Source.data`, `Source.jsonData`) into the destination bucket under the prefix,
 * with their deploy-time values substituted, as CDK's handler (Python, with the AWS CLI) would; the handler
 * is not run.
 */
export const bucketDeployment: Provisioner = {
  applies: [
    'SourceBucketNames',
    'SourceObjectKeys',
    'SourceMarkers',
    'SourceMarkersConfig',
    'DestinationBucketName',
    'DestinationBucketKeyPrefix',
    'DestinationBucketArn',
    'Extract',
    'Prune',
    'Exclude',
    'Include',
    'UserMetadata',
    'SystemMetadata',
    'OutputObjectKeys',
  ],
  accepts: {
    ServiceToken: "the runtime copies the sources itself; CDK's handler function is not run",
    WaitForDistributionInvalidation: 'there is no CloudFront offline',
    RetainOnDelete: 'the runtime keeps objects in memory; nothing is deleted when it stops',
    SignContent: 'requests to the local S3 are not signed for content',
    OutputObjectVersionIds: 'object versions are not kept offline',
  },
  check(ctx, p) {
    const problems: string[] = [];
    const keys = list(p.SourceObjectKeys);
    sourceFolders(ctx, keys).forEach((folder, i) => {
      const key = staticText(keys[i]);
      if (folder === undefined && key !== undefined && !key.includes(UNRESOLVED)) {
        problems.push(
          `${ctx.where}: SourceObjectKeys[${i}] (${key}) is not a folder asset of the cloud assembly; only Source.asset(<folder>), Source.data and Source.jsonData deploy offline`,
        );
      }
    });
    if (p.Extract === false || p.Extract === 'false') {
      problems.push(`${ctx.where}: Extract false is not supported offline; the sources are copied extracted`);
    }
    if (p.DistributionId !== undefined) {
      problems.push(`${ctx.where}: DistributionId is not supported offline; there is no CloudFront`);
    }
    return problems;
  },
  async create(ctx, logicalId, p) {
    const where = `${ctx.stack.stackName}/${logicalId} (Custom::CDKBucketDeployment)`;
    const bucket = str(p.DestinationBucketName) ?? '';
    const prefix = str(p.DestinationBucketKeyPrefix) ?? '';
    const folders = sourceFolders(ctx, p.SourceObjectKeys);
    const markers = list(p.SourceMarkers) as (Record<string, unknown> | undefined)[];
    const markersConfig = list(p.SourceMarkersConfig) as ({ jsonEscape?: unknown } | undefined)[];
    const excludes = list(p.Exclude).map((g) => globToRegExp(String(g)));
    const includes = list(p.Include).map((g) => globToRegExp(String(g)));
    const filtered = (key: string) => excludes.some((r) => r.test(key)) && !includes.some((r) => r.test(key));
    const objects = new Map<string, Buffer>();
    folders.forEach((folder, i) => {
      if (folder === undefined)
        throw new UnsupportedResourceError(`${where}: SourceObjectKeys[${i}] is not a folder asset`);
      const replacements = Object.entries(markers[i] ?? {}).map(([marker, value]) => {
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        const escape = markersConfig[i]?.jsonEscape === true || markersConfig[i]?.jsonEscape === 'true';
        return [marker, escape ? JSON.stringify(text).slice(1, -1) : text] as const;
      });
      for (const file of files(folder)) {
        if (filtered(file)) continue;
        let body = readFileSync(path.join(folder, file));
        if (replacements.length > 0) {
          let text = body.toString('utf8');
          for (const [marker, value] of replacements) text = text.split(marker).join(value);
          body = Buffer.from(text, 'utf8');
        }
        objects.set(`${prefix}${file}`, body);
      }
    });
    const client = ctx.service(S3Service).client;
    if (p.Prune !== false && p.Prune !== 'false') {
      const existing: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        existing.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
        token = page.NextContinuationToken;
      } while (token !== undefined);
      const stale = existing.filter((key) => !objects.has(key) && !filtered(key.slice(prefix.length)));
      if (stale.length > 0) {
        await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: stale.map((Key) => ({ Key })) } }),
        );
      }
    }
    const system = (p.SystemMetadata ?? {}) as Record<string, unknown>;
    const fields = Object.fromEntries(
      Object.entries(SYSTEM_METADATA).flatMap(([key, field]) =>
        str(system[key]) === undefined ? [] : [[field, str(system[key])]],
      ),
    );
    const metadata = Object.fromEntries(
      Object.entries((p.UserMetadata ?? {}) as Record<string, unknown>).map(([k, v]) => [k, str(v) ?? '']),
    );
    for (const [key, body] of objects) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: CONTENT_TYPES[path.extname(key).toLowerCase()],
          Metadata: metadata,
          ...fields,
        }),
      );
    }
    return {
      ref: `aws.cdk.s3deployment.${logicalId}`,
      attributes: { DestinationBucketArn: `arn:${ctx.env.partition}:s3:::${bucket}` },
    };
  },
};
