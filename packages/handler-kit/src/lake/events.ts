import * as z from 'zod/mini';
import type {
  EtlExecutionInput,
  EtlExtractEvent,
  EtlLoadEvent,
  EtlTransformEvent,
} from '@conflux/constructs/contracts';
import { parseValue } from '../schemas.js';
import { compactInstant } from './window.js';

const instant = z
  .string()
  .check(z.refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 instant'));

const base = {
  pipeline: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be a pipeline name')),
  bucket: z.string().check(z.minLength(3)),
  executionArn: z.string().check(z.minLength(1)),
  startedAt: instant,
  settleMs: z.number().check(z.int(), z.nonnegative()),
};

const executionInput = z.looseObject({
  scheduledTime: z.optional(instant),
  since: z.optional(instant),
  until: z.optional(instant),
});

const windowId = (from: string, to: string): string | undefined => {
  try {
    return `${compactInstant(from)}_${compactInstant(to)}`;
  } catch {
    return undefined;
  }
};

// The id names the window's objects: one that disagrees with its bounds would file rows under another window.
const window = z.object({ from: instant, to: instant, id: z.string() }).check(
  z.refine((w) => w.id === windowId(w.from, w.to), {
    message: 'must be <from>_<to> in compact UTC, as planWindow names it',
    path: ['id'],
  }),
);
const lakeObject = z.object({
  bucket: z.string().check(z.minLength(3)),
  key: z.string().check(z.minLength(1)),
});

/**
 * The extract step's event as the state machine sends it: the contract's {@link EtlExtractEvent}, or, in
 * place of `watermark`, the watermark table's raw GetItem output as `stored` (`stored.Item.watermark.S`).
 * `input` may be absent (a direct invocation): it then counts as `{}`.
 */
const extractEvent = z.object({
  ...base,
  input: z.optional(z.nullable(executionInput)),
  watermark: z.optional(z.nullable(instant)),
  stored: z.optional(
    z.nullable(
      z.looseObject({
        Item: z.optional(z.looseObject({ watermark: z.optional(z.looseObject({ S: z.optional(instant) })) })),
      }),
    ),
  ),
});

const stepEvent = z.object({ ...base, window, staged: lakeObject });

/** Parses the extract step's event (see the contract), failing with an `InvalidMessageError` naming each bad field. */
export function parseExtractEvent(event: unknown): EtlExtractEvent {
  const parsed = parseValue(extractEvent, event, 'extract event');
  const watermark =
    parsed.watermark !== undefined ? parsed.watermark : (parsed.stored?.Item?.watermark?.S ?? null);
  const input: EtlExecutionInput = {
    ...(parsed.input?.scheduledTime !== undefined ? { scheduledTime: parsed.input.scheduledTime } : {}),
    ...(parsed.input?.since !== undefined ? { since: parsed.input.since } : {}),
    ...(parsed.input?.until !== undefined ? { until: parsed.input.until } : {}),
  };
  return {
    pipeline: parsed.pipeline,
    bucket: parsed.bucket,
    executionArn: parsed.executionArn,
    startedAt: parsed.startedAt,
    settleMs: parsed.settleMs,
    input,
    watermark,
  };
}

/** Parses the transform step's event, failing with an `InvalidMessageError` naming each bad field. */
export function parseTransformEvent(event: unknown): EtlTransformEvent {
  return parseValue(stepEvent, event, 'transform event');
}

/** Parses the load step's event, failing with an `InvalidMessageError` naming each bad field. */
export function parseLoadEvent(event: unknown): EtlLoadEvent {
  return parseValue(stepEvent, event, 'load event');
}
