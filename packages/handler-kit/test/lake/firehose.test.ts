import type { FirehoseTransformationResultRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFirehoseTransformer, jsonLinesTransform, NOT_ONE_JSON_VALUE } from '../../src/lake/index.js';
import { firehoseEvent, firehoseRecord } from './factories.js';

const text = (r: FirehoseTransformationResultRecord | undefined) =>
  Buffer.from(r?.data ?? '', 'base64').toString('utf8');

describe('createFirehoseTransformer', () => {
  it('answers every record by id with its outcome, data base64-encoded', async () => {
    // GIVEN a transformer that upper-cases, drops "drop" and fails "fail"
    const handler = createFirehoseTransformer((data) => {
      const s = data.toString('utf8');
      if (s === 'drop') return { result: 'Dropped' };
      if (s === 'fail') return { result: 'ProcessingFailed', reason: 'no' };
      return { result: 'Ok', data: s.toUpperCase() };
    });
    const records = [firehoseRecord('abc'), firehoseRecord('drop'), firehoseRecord('fail')];
    // WHEN invoked
    const { records: out } = await handler(firehoseEvent(...records));
    // THEN each record is answered under its own id, with data in every answer (Firehose requires it)
    expect(out.map((r) => [r.recordId, r.result])).toEqual([
      [records[0]?.recordId, 'Ok'],
      [records[1]?.recordId, 'Dropped'],
      [records[2]?.recordId, 'ProcessingFailed'],
    ]);
    expect(text(out[0])).toBe('ABC');
    expect(out.every((r) => typeof r.data === 'string')).toBe(true);
  });

  it('fails only the record whose transform throws, never the invocation', async () => {
    // GIVEN a transform that throws (synchronously or not) for some records
    const handler = createFirehoseTransformer((data) => {
      const s = data.toString();
      if (s === 'boom') throw new RangeError('bad');
      if (s === 'reject') return Promise.reject(new TypeError('worse'));
      return { result: 'Ok', data: Buffer.from(data) };
    });
    // WHEN invoked with bad records between good ones
    const { records } = await handler(
      firehoseEvent(
        firehoseRecord('a'),
        firehoseRecord('boom'),
        firehoseRecord('reject'),
        firehoseRecord('b'),
      ),
    );
    // THEN those records are processing-failed and the others pass
    expect(records.map((r) => r.result)).toEqual(['Ok', 'ProcessingFailed', 'ProcessingFailed', 'Ok']);
    expect(text(records[3])).toBe('b');
  });

  it('passes each record (with its Kinesis metadata) to the transform', async () => {
    // GIVEN a record from a Kinesis source
    const seen: string[] = [];
    const handler = createFirehoseTransformer((_data, record) => {
      seen.push(record.kinesisRecordMetadata?.partitionKey ?? '');
      return { result: 'Dropped' };
    });
    const record = firehoseRecord('x', {
      kinesisRecordMetadata: {
        shardId: 'shardId-000000000000',
        partitionKey: 'device-1',
        approximateArrivalTimestamp: 0,
        sequenceNumber: '1',
        subsequenceNumber: '0',
      },
    });
    // WHEN invoked / THEN the transform saw the metadata
    await handler(firehoseEvent(record));
    expect(seen).toEqual(['device-1']);
  });
});

describe('jsonLinesTransform', () => {
  const run = (data: string | Buffer) =>
    jsonLinesTransform(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

  it('drops an empty record (a CDC tombstone)', () => {
    // GIVEN / WHEN / THEN
    expect(run('')).toEqual({ result: 'Dropped' });
  });

  it('writes one JSON value compact, with a newline, whatever whitespace was around it', () => {
    // GIVEN values with whitespace around and inside
    // WHEN transformed / THEN each is one compact line
    expect(run('  {"a": 1,\n "b": [1, 2]}\r\n')).toEqual({ result: 'Ok', data: '{"a":1,"b":[1,2]}\n' });
    expect(run('\ufeff"text"')).toEqual({ result: 'Ok', data: '"text"\n' });
    expect(run('42')).toEqual({ result: 'Ok', data: '42\n' });
  });

  it.each([
    ['not JSON', 'hello'],
    ['two values', '{"a":1} {"a":2}'],
    ['two lines', '{"a":1}\n{"a":2}\n'],
    ['whitespace only', '  \n'],
    ['truncated', '{"a":'],
  ])('fails a record that is %s', (_what, data) => {
    // GIVEN / WHEN / THEN
    expect(run(data)).toEqual({ result: 'ProcessingFailed', reason: NOT_ONE_JSON_VALUE });
  });

  it('fails invalid UTF-8 and values JSON cannot carry faithfully', () => {
    // GIVEN bytes that are not UTF-8, and a number beyond the double range
    // WHEN transformed / THEN both fail, the second naming the problem
    expect(run(Buffer.from([0x22, 0xff, 0x22]))).toEqual({
      result: 'ProcessingFailed',
      reason: NOT_ONE_JSON_VALUE,
    });
    const huge = run('{"v":1e309}');
    expect(huge.result).toBe('ProcessingFailed');
    expect(huge.result === 'ProcessingFailed' && huge.reason).toMatch(
      /^not one JSON value \(v: number out of range\)$/,
    );
  });

  it('makes exactly one line of any JSON value, parsing back to the value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom('', ' ', '\n', '\t \r\n'), (value, pad) => {
        // GIVEN any JSON value, pretty-printed and padded
        const out = run(`${pad}${JSON.stringify(value, null, 2)}${pad}`);
        // THEN it is Ok, one line ending in \n, equal to the value as JSON reads it
        expect(out.result).toBe('Ok');
        const data = out.result === 'Ok' ? String(out.data) : '';
        expect(data.endsWith('\n')).toBe(true);
        expect(data.slice(0, -1)).not.toContain('\n');
        expect(JSON.parse(data)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});
