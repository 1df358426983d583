import { gzipSync } from 'node:zlib';
import type { Context } from 'aws-lambda';
import type {
  EtlExecutionInput,
  EtlExtractResult,
  EtlLoadResult,
  EtlTransformResult,
  EtlWindow,
  LakeObject,
} from '@conflux/constructs/contracts';
import { logger } from '../powertools.js';
import { canonical, compareText, gzipJsonLines } from './json-lines.js';
import { parseExtractEvent, parseLoadEvent, parseTransformEvent } from './events.js';
import { getJsonLines, lakeS3, objectExists, putObject, putObjectIfChanged, type LakeS3 } from './objects.js';
import { curatedKey, isEmptyWindow, planWindow, quarantineKey, stagingKey } from './window.js';
import type { RejectedRow } from './cleansing.js';

/** What an extract function knows of its run besides the window. */
export interface ExtractContext {
  readonly pipeline: string;
  readonly executionArn: string;
  /** The execution's input (`scheduledTime` from the schedule, `since`/`until` by hand). */
  readonly input: EtlExecutionInput;
  /** The Lambda context, when invoked by Lambda. */
  readonly lambda?: Context;
}

/** Options shared by the step handlers. */
export interface StepOptions {
  /** @default {@link lakeS3}, the kit's client (made once per execution environment) */
  readonly s3?: LakeS3;
}

/** {@link createExtractHandler}'s options: the app's read of the source. */
export interface ExtractOptions<Row> extends StepOptions {
  /**
   * The rows that changed in the window (`from < changedAt <= to`): an array, or an async iterable that
   * yields them as a source's pages arrive (a scan's segments). The rows are held in memory until staged,
   * as one object. Not called for an empty window.
   */
  readonly extract: (window: EtlWindow, ctx: ExtractContext) => AsyncIterable<Row> | Promise<Row[]>;
}

/** The transform function's answer: what {@link cleanseRows} returns. */
export interface TransformOutput<In, Out> {
  readonly accepted: readonly Out[];
  readonly rejected: readonly RejectedRow<In>[];
  readonly duplicates: number;
}

/** {@link createTransformHandler}'s options: the app's cleansing. */
export interface TransformOptions<In, Out> extends StepOptions {
  readonly transform: (
    rows: In[],
    window: EtlWindow,
  ) => TransformOutput<In, Out> | Promise<TransformOutput<In, Out>>;
}

/** {@link createLoadHandler}'s options. */
export interface LoadOptions<Row> extends StepOptions {
  /**
   * The key the curated rows are sorted by (code-unit order; ties by the row's canonical JSON), so the same
   * rows always give the same object. @default the row's canonical JSON
   */
  readonly keyOf?: (row: Row) => string;
}

/** One line of a quarantine object. */
export interface QuarantineLine<In> {
  readonly row: In;
  readonly reasons: readonly string[];
  readonly window: EtlWindow;
  readonly pipeline: string;
}

async function collect<Row>(rows: AsyncIterable<Row> | Promise<Row[]>): Promise<Row[]> {
  if (Symbol.asyncIterator in rows) {
    const all: Row[] = [];
    for await (const row of rows) all.push(row);
    return all;
  }
  return rows;
}

/**
 * The extract step: computes the window from the event (the stored watermark, the execution's input and
 * start, the settle time — see {@link planWindow}), asks `extract` for the window's rows and stages them in
 * `staging/<pipeline>/<window.id>/extracted.json.gz`. For an empty window nothing is read or written.
 * A bad event fails with an `InvalidMessageError` (the execution then fails: it is not retried).
 */
export function createExtractHandler<Row>(options: ExtractOptions<Row>) {
  const s3 = options.s3 ?? lakeS3;
  return async (event: unknown, context?: Context): Promise<EtlExtractResult> => {
    if (context) logger.addContext(context);
    const step = parseExtractEvent(event);
    const window = planWindow({
      since: step.input.since,
      until: step.input.until,
      watermark: step.watermark,
      startedAt: step.startedAt,
      settleMs: step.settleMs,
    });
    const staged: LakeObject = { bucket: step.bucket, key: stagingKey(step.pipeline, window, 'extracted') };
    if (isEmptyWindow(window)) {
      logger.info('window is empty: nothing extracted', { pipeline: step.pipeline, window });
      return { window, staged, rows: 0 };
    }
    const rows = await collect(
      options.extract(window, {
        pipeline: step.pipeline,
        executionArn: step.executionArn,
        input: step.input,
        ...(context ? { lambda: context } : {}),
      }),
    );
    await putObject(s3, staged, gzipJsonLines(rows));
    logger.info('extracted', { pipeline: step.pipeline, window, rows: rows.length, staged: staged.key });
    return { window, staged, rows: rows.length };
  };
}

/**
 * The transform step: reads the staged rows, runs `transform` (pure: cleansing, deduplication), stages the
 * accepted rows in `transformed.json.gz` and, when rows were rejected, writes them to
 * `quarantine/<pipeline>/dt=<day of to>/<window.id>.json.gz`, one line `{row, reasons, window, pipeline}`
 * each (rewritten if its bytes changed, so a re-run leaves it as it was). A re-run that now rejects nothing
 * empties the object an earlier run of the window left, so it never lists rows that are now loaded. For an
 * empty window nothing is read or written.
 */
export function createTransformHandler<In, Out = In>(options: TransformOptions<In, Out>) {
  const s3 = options.s3 ?? lakeS3;
  return async (event: unknown, context?: Context): Promise<EtlTransformResult> => {
    if (context) logger.addContext(context);
    const step = parseTransformEvent(event);
    const { window, pipeline } = step;
    const staged: LakeObject = { bucket: step.bucket, key: stagingKey(pipeline, window, 'transformed') };
    if (isEmptyWindow(window)) return { staged, accepted: 0, rejected: 0, duplicates: 0 };
    const rows = await getJsonLines<In>(s3, step.staged);
    const out = await options.transform(rows, window);
    await putObject(s3, staged, gzipJsonLines(out.accepted));
    let quarantined: LakeObject | undefined;
    if (out.rejected.length > 0) {
      quarantined = { bucket: step.bucket, key: quarantineKey(pipeline, window) };
      const lines = out.rejected.map((r): QuarantineLine<In> => ({
        row: r.row,
        reasons: r.reasons,
        window,
        pipeline,
      }));
      await putObjectIfChanged(s3, quarantined, gzipJsonLines(lines));
    } else {
      const earlier: LakeObject = { bucket: step.bucket, key: quarantineKey(pipeline, window) };
      if (await objectExists(s3, earlier)) await putObjectIfChanged(s3, earlier, gzipJsonLines([]));
    }
    const result: EtlTransformResult = {
      staged,
      accepted: out.accepted.length,
      rejected: out.rejected.length,
      duplicates: out.duplicates,
      ...(quarantined ? { quarantined } : {}),
    };
    logger.info('transformed', { pipeline, window, ...result });
    return result;
  };
}

/**
 * The load step: reads the transformed rows and writes them to
 * `curated/<pipeline>/dt=<day of to>/<window.id>.json.gz` — members of each row in name order, rows sorted
 * by `keyOf` — with {@link putObjectIfChanged}, so a re-run of a window whose rows did not change leaves the
 * object (and its ETag) untouched. A non-empty window with no accepted row writes an empty object (a re-run
 * replaces what an earlier run loaded); an empty window writes nothing.
 */
export function createLoadHandler<Row = unknown>(options: LoadOptions<Row> = {}) {
  const s3 = options.s3 ?? lakeS3;
  return async (event: unknown, context?: Context): Promise<EtlLoadResult> => {
    if (context) logger.addContext(context);
    const step = parseLoadEvent(event);
    const { window, pipeline } = step;
    if (isEmptyWindow(window)) return { loaded: 0, written: [], unchanged: [] };
    const rows = await getJsonLines<Row>(s3, step.staged);
    const lines = sortedLines(rows, options.keyOf);
    const curated: LakeObject = { bucket: step.bucket, key: curatedKey(pipeline, window) };
    const outcome = await putObjectIfChanged(s3, curated, gzipSync(Buffer.from(lines, 'utf8')));
    const result: EtlLoadResult = {
      loaded: rows.length,
      written: outcome === 'written' ? [curated] : [],
      unchanged: outcome === 'unchanged' ? [curated] : [],
    };
    logger.info('loaded', { pipeline, window, loaded: rows.length, outcome, curated: curated.key });
    return result;
  };
}

/** The rows as JSON lines in a deterministic order: by key, then by canonical JSON. */
function sortedLines<Row>(rows: readonly Row[], keyOf?: (row: Row) => string): string {
  const entries = rows.map((row) => {
    const json = JSON.stringify(canonical(row));
    return { key: keyOf ? keyOf(row) : json, json };
  });
  entries.sort((a, b) => compareText(a.key, b.key) || compareText(a.json, b.json));
  return entries.map((e) => `${e.json}\n`).join('');
}
