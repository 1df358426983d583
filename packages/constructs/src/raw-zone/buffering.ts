import { Duration, Token } from 'aws-cdk-lib';
import type { Size } from 'aws-cdk-lib';
import type { PropsValidator } from '../private/validation.js';
import type { RawZoneBuffering } from './raw-zone-source.js';

/** Checks a Firehose buffering hint: both parts, 1–128 MiB and 0–900 seconds (Firehose's limits). */
export function validateBuffering(
  v: PropsValidator,
  name: string,
  buffering: RawZoneBuffering | undefined,
): void {
  if (buffering === undefined) return;
  // Typed as required, but JavaScript callers (and partial objects) can leave one out.
  const { size, interval } = buffering as Partial<RawZoneBuffering>;
  v.require(
    size !== undefined && interval !== undefined,
    `${name} needs both size and interval (Firehose takes both hints or neither): e.g. { size: Size.mebibytes(5), interval: Duration.seconds(300) }.`,
  );
  if (size !== undefined && !Token.isUnresolved(size.toBytes())) {
    const mib = wholeMebibytes(size);
    v.require(
      Number.isInteger(mib) && mib >= 1 && mib <= 128,
      `${name}.size must be a whole number of MiB from 1 to 128; received ${size.toBytes()} bytes.`,
    );
  }
  v.durationInRange(`${name}.interval`, interval, Duration.seconds(0), Duration.seconds(900));
}

/** The buffering as Firehose's `BufferingHints`. */
export function bufferingHints(b: RawZoneBuffering): { SizeInMBs: number; IntervalInSeconds: number } {
  return { SizeInMBs: b.size.toMebibytes(), IntervalInSeconds: b.interval.toSeconds() };
}

/** Whole MiB of `size`, or NaN when it is not whole. */
export function wholeMebibytes(size: Size): number {
  const mib = size.toBytes() / (1024 * 1024);
  return Number.isInteger(mib) ? mib : Number.NaN;
}
