import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningRuntime } from '../../src/core/runtime.js';
import { startPersisted } from './support.js';
import { cdkJsonContext } from '../../../../test/support/cdk.js';
import { eventually } from '../../../../test/support/runtime.js';

const work = mkdtempSync(path.join(tmpdir(), 'conflux-positions-'));
const seen = path.join(work, 'seen.jsonl');

// Appends what it was given: the Kinesis record's data, or the DynamoDB item's key.
const recorder = `
const fs = require('node:fs');
exports.handler = async (event) => {
  for (const r of event.Records) {
    const what = r.kinesis ? Buffer.from(r.kinesis.data, 'base64').toString() : r.dynamodb.Keys.pk.S;
    fs.appendFileSync(process.env.SEEN, what + '\\n');
  }
};`;

/** A Kinesis stream and a table's stream, each read from TRIM_HORIZON by one function. */
function synth(): string {
  const outdir = path.join(work, 'app');
  const app = new App({ outdir, context: cdkJsonContext() });
  const stack = new Stack(app, 'Positions');
  const fn = new lambda.Function(stack, 'Recorder', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(recorder),
    environment: { SEEN: seen },
  });
  const stream = new kinesis.Stream(stack, 'Events', { streamName: 'positions-events', shardCount: 1 });
  fn.addEventSource(
    new sources.KinesisEventSource(stream, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }),
  );
  const table = new dynamodb.Table(stack, 'Items', {
    tableName: 'positions-items',
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.KEYS_ONLY,
  });
  fn.addEventSource(
    new sources.DynamoEventSource(table, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }),
  );
  app.synth();
  return outdir;
}

const start = startPersisted;

const seenNow = (): string[] => {
  try {
    return readFileSync(seen, 'utf8').split('\n').filter(Boolean).sort();
  } catch {
    return [];
  }
};

async function write(runtime: RunningRuntime, what: string): Promise<void> {
  await runtime.engines.kinesis.send(
    new PutRecordCommand({ StreamName: 'positions-events', PartitionKey: 'p', Data: Buffer.from(what) }),
  );
  await runtime.engines.dynamodb.send(
    new PutItemCommand({ TableName: 'positions-items', Item: { pk: { S: what } } }),
  );
}

describe('--persist: stream event source mappings carry on where they were', () => {
  const cdkOut = synth();
  const stateDir = path.join(work, 'state');
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('delivers a record of the last run once, not again from TRIM_HORIZON', async () => {
    // GIVEN a first run that delivered one record of each stream
    const first = await start(cdkOut, stateDir);
    try {
      await write(first, 'one');
      await eventually(() => Promise.resolve(seenNow().length === 2 ? true : undefined));
    } finally {
      await first.stop();
    }
    expect(seenNow()).toEqual(['one', 'one']);

    // WHEN the runtime starts again on the same folder and a second record is written to each
    const second = await start(cdkOut, stateDir);
    try {
      await write(second, 'two');
      await eventually(() => Promise.resolve(seenNow().length >= 4 ? true : undefined));
      // (time for a re-read from TRIM_HORIZON to show up, if there were one)
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      await second.stop();
    }

    // THEN only the new records were delivered in the second run
    expect(seenNow()).toEqual(['one', 'one', 'two', 'two']);
  });

  it('reads from the declared starting position when the kept position is not in the stream', async () => {
    // GIVEN kept positions that name sequence numbers the streams never had
    const file = path.join(stateDir, 'stream-positions.json');
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Record<
      string,
      { sourceArn: string; shards: Record<string, string> }
    >;
    expect(Object.keys(kept)).toHaveLength(2);
    for (const mapping of Object.values(kept)) {
      for (const shard of Object.keys(mapping.shards)) mapping.shards[shard] = '4'.repeat(56);
    }
    writeFileSync(file, JSON.stringify(kept));
    writeFileSync(seen, '');

    // WHEN the runtime starts on that folder
    const third = await start(cdkOut, stateDir);
    try {
      // THEN each mapping falls back to TRIM_HORIZON and delivers both records of each stream
      await eventually(() => Promise.resolve(seenNow().length === 4 ? true : undefined));
    } finally {
      await third.stop();
    }
    expect(seenNow()).toEqual(['one', 'one', 'two', 'two']);
  });
});
